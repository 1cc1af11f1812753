package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Description images in the publishing form (market.Listing.DescriptionImages). Like the logo,
// only what the rules check is read from an uploaded image (format, size, bytes:
// image.DecodeConfig) and carried in the form, here as one checkbox per image
// ("FORMAT WIDTH HEIGHT BYTES"), ticked: unticking removes an image, a refused form keeps them.
// The publishing service decides (at most 5, JPG or PNG, 900 to 1200 px wide, at least 800 px
// high; a description with images may be shorter than 400 characters), and its problems are shown
// at the images' field. A form without the images' part (gap_desc_form) keeps the draft's images.

// gapReadDescImages reads the uploaded description images into the posted values.
func gapReadDescImages(r *http.Request) {
	if r.MultipartForm == nil {
		return
	}
	for _, fh := range r.MultipartForm.File["gap_desc_files"] {
		if fh.Size == 0 {
			continue
		}
		im, err := readLogo(fh)
		if err != nil {
			r.PostForm.Add("gap_desc_unreadable", fh.Filename)
			continue
		}
		r.PostForm.Add("gap_desc_image", gapImageValue(*im))
	}
}

func gapImageValue(im market.Image) string {
	return fmt.Sprintf("%s %d %d %d", im.Format, im.Width, im.Height, im.Bytes)
}

func gapParseImage(s string) (market.Image, bool) {
	f := strings.Fields(s)
	if len(f) != 4 {
		return market.Image{}, false
	}
	w, err1 := strconv.Atoi(f[1])
	h, err2 := strconv.Atoi(f[2])
	b, err3 := strconv.ParseInt(f[3], 10, 64)
	return market.Image{Format: f[0], Width: w, Height: h, Bytes: b}, err1 == nil && err2 == nil && err3 == nil
}

// gapDescImages sets the listing's description images from the form (when it has their part).
func gapDescImages(v url.Values, l *market.Listing, p problems) {
	if v.Get("gap_desc_form") == "" {
		return
	}
	l.DescriptionImages = nil
	for _, s := range v["gap_desc_image"] {
		if im, ok := gapParseImage(s); ok {
			l.DescriptionImages = append(l.DescriptionImages, im)
		}
	}
	if len(v["gap_desc_unreadable"]) > 0 {
		p.add("listing.description_images", "gap.err.desc_unreadable", strings.Join(v["gap_desc_unreadable"], ", "))
	}
}

// gapSetDescImages puts a draft's description images in the form's values.
func gapSetDescImages(v url.Values, ims []market.Image) {
	for _, im := range ims {
		v.Add("gap_desc_image", gapImageValue(im))
	}
}

// gapDescImage is an image as the form lists it.
type gapDescImage struct {
	Value string
	market.Image
}

// GapDescImages are the form's description images.
func (d *draftForm) GapDescImages() []gapDescImage {
	var out []gapDescImage
	for _, s := range d.Values["gap_desc_image"] {
		if im, ok := gapParseImage(s); ok {
			out = append(out, gapDescImage{s, im})
		}
	}
	return out
}
