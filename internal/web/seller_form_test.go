package web

import "testing"

// TestReviewComments: lines naming a field of the form go to it (either colon); the rest is the
// general comment, lines naming no field of the form included.
func TestReviewComments(t *testing.T) {
	t.Parallel()
	known := map[string]bool{"listing.name": true, "specs[0].name": true}
	at, rest := reviewComments("listing.name: too generic\nspecs[0].name：请写明版本\nlisting.logo: blurry\n\nPlease add screenshots.", known)
	if got := at.At("listing.name"); len(got) != 1 || got[0].Detail != "too generic" || got[0].Key != "seller.review.comment" {
		t.Errorf("listing.name: %+v", got)
	}
	if got := at.At("specs[0].name"); len(got) != 1 || got[0].Detail != "请写明版本" {
		t.Errorf("specs[0].name: %+v", got)
	}
	if rest != "listing.logo: blurry\nPlease add screenshots." {
		t.Errorf("general comment %q", rest)
	}
}

// TestNearestField: a service field the form does not have is shown at the nearest one it has.
func TestNearestField(t *testing.T) {
	t.Parallel()
	known := map[string]bool{"specs[0]": true, "specs[0].name": true, "listing.name": true}
	for in, want := range map[string]string{"specs[0].name": "specs[0].name", "specs[0].skus[1].unit": "specs[0]", "listing.name": "listing.name",
		"listing.logo.format": "form", "": "form"} {
		if got := nearestField(in, known); got != want {
			t.Errorf("nearestField(%q) = %q, want %q", in, got, want)
		}
	}
}
