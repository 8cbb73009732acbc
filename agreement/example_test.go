package agreement_test

import (
	"fmt"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/agreement"
)

func ExampleParse() {
	src := `id: easter-truce-2025
title: Easter truce 2025
parties:
  - {id: RU, name: Russian Federation}
  - {id: UA, name: Ukraine}
window: {start: "2025-04-19T18:00", end: "2025-04-21T00:00", time_zone: Europe/Moscow}
line_of_contact: {control_map_at: start}
rules:
  - {id: R1, name: No fire across the line, prohibits: [artillery, mortar], where: {crosses_line: true}}
`
	a, err := agreement.Parse("easter.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Window.Start.UTC(), "to", a.Window.End.UTC())
	// Output:
	// 2025-04-19 15:00:00 +0000 UTC to 2025-04-20 21:00:00 +0000 UTC
}

func ExampleParse_problems() {
	src := `id: easter-truce-2025
title: Easter truce 2025
parties:
  - {id: RU, name: Russian Federation}
  - {id: UA, name: Ukraine}
window: {start: "2025-04-19T18:00", end: "2025-04-21T00:00", time_zone: Europe/Moscow}
line_of_contact: {control_map_at: start}
rules:
  - id: R1
    name: No fire across the line
    prohibits: [artilery, mortar]
    were: {crosses_line: true}
`
	_, err := agreement.Parse("easter.yaml", []byte(src))
	for _, p := range truce.ErrorProblems(err) {
		fmt.Println(p)
	}
	// Output:
	// easter.yaml:11: rules[0].prohibits[0]: unknown kind "artilery"; one of "artillery", "mlrs", "mortar", "small_arms", "explosion", "air_strike", "drone_strike", "missile_strike", "armour_movement", "heavy_weapon", "advance", "movement_restriction", "civilian_harm", "fire", "other"
	// easter.yaml:12: rules[0].were: unknown field "were" (did you mean "where"?)
}
