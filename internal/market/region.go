package market

import (
	"encoding/json"
	"slices"
)

// RegionAllowed decides whether a buyer in country may order a product (rules §1.8): the
// product's regions when it has some, otherwise its signing entity's, otherwise anywhere. A
// buyer whose country is not known may order only where nothing is restricted.
func RegionAllowed(listing []byte, signing []string, country string) error {
	var l struct {
		Regions []string `json:"regions"`
	}
	if len(listing) > 0 {
		if err := json.Unmarshal(listing, &l); err != nil {
			return err
		}
	}
	regions := l.Regions
	if len(regions) == 0 {
		regions = signing
	}
	switch {
	case len(regions) == 0, slices.Contains(regions, country):
		return nil
	case country == "":
		return Errorf(CodeConflict, "this product is sold in %v only, and the buyer's country is not known", regions)
	}
	return Errorf(CodeConflict, "this product is not sold in %s (it is sold in %v)", country, regions)
}
