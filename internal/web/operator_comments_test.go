package web

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
)

// TestOperatorReviewComments reads back what the review form writes, and reads a reason written by hand
// (through the JSON API) without inventing fields.
func TestOperatorReviewComments(t *testing.T) {
	t.Parallel()
	reason := composeReviewComments(" Overall.\nSecond line. ", []FieldComment{{Field: "listing.name", Text: "Too\n broad "}, {Field: "specs", Text: " "},
		{Field: "specs[1].name", Text: "Say who uses it"}})
	if want := "Overall.\nSecond line.\nlisting.name: Too broad\nspecs[1].name: Say who uses it"; reason != want {
		t.Fatalf("composed %q, want %q", reason, want)
	}
	rc := parseReviewComments(reason)
	if rc.Overall != "Overall.\nSecond line." || rc.For("listing.name") != "Too broad" || rc.For("specs[1].name") != "Say who uses it" || len(rc.Fields) != 2 {
		t.Fatalf("parsed %+v", rc)
	}
	for _, hand := range []string{"Note: the name is too broad", "http://example.com: broken", "listing.name:", "[listing.name] old form"} {
		if rc := parseReviewComments(hand); len(rc.Fields) != 0 || rc.Overall != hand {
			t.Errorf("%q read as %+v, want all overall", hand, rc)
		}
	}
	fields := fieldsToReview(market.AppRelease, []string{"Standard", "Seats"})
	rc = parseReviewComments("specs[1]: x\nlisting.logo: y\nspecs[7]: z").labelled(fields)
	if rc.Fields[0].Key != "op.field.spec" || rc.Fields[0].Arg != "Seats" || rc.Fields[1].Key != "op.field.listing.logo" || rc.Fields[2].Key != "" {
		t.Errorf("labels %+v", rc.Fields)
	}
}
