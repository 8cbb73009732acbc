package importer_test

import (
	"fmt"
	"log"
	"os"

	"github.com/truce-monitor/truce/importer"
)

func ExampleRead() {
	f, err := os.Open("testdata/firms_economist_small.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	res, err := importer.Read("firms", "firms_economist_small.csv", f, importer.Options{})
	if err != nil {
		log.Fatal(err) // a *truce.Error listing file:line: problems
	}
	o := res.Observations[5]
	fmt.Println(res.Source.Name, res.Source.Role, len(res.Observations))
	fmt.Println(o.ID, o.Kind, o.ObservedAt.Format("2006-01-02T15:04Z"), *o.Location.Lon, *o.Location.Lat, o.Location.UncertaintyM)
	// Output:
	// firms sensor 6
	// 9c00e6ec-649a-5031-bf8b-079f4c0e639c fire 2025-03-26T00:09Z 34.55746 48.08515 375
}
