package web

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Review comments per field. A rejection has one reason (publish.Service.Reject), which the
// seller reads in the review details (the JSON API's "comment") and the seller console shows at
// the fields (seller_form.go, reviewComments). The operator console writes it as an overall
// comment followed by one line per field, "FIELD: text":
//
//	The listing needs work before it can go on sale.
//	listing.name: The name must not carry a version.
//	specs[0]: Name the edition's users.
//
// Field names are the publish service's own, as in its validation errors (market.FieldError),
// so the seller console shows a comment where it shows that field's rule failures. A line whose
// FIELD is not such a name is overall comment.

// opReviewFields are the fields an operator comments on, by application type, in form order.
var opReviewFields = map[market.ApplicationType][]string{
	market.AppRelease:      {"listing.name", "listing.version", "listing.summary", "listing.description", "listing.usage_guide", "listing.agreement", "listing.logo", "specs"},
	market.AppModification: {"listing.name", "listing.version", "listing.summary", "listing.description", "listing.usage_guide", "listing.agreement", "listing.logo", "specs"},
	market.AppVisibility:   {"visibility"},
	market.AppRemoval:      {"removal.reason", "removal.proofs"},
	market.AppBusinessPlan: {"business_plan.years"},
}

// opFieldLine is a comment line at a field: the fields of listings, specs (specs, specs[0],
// specs[0].name ...), removals, business plans and visibility changes.
var opFieldLine = regexp.MustCompile(`^((?:listing|removal|business_plan)\.[a-z_]+|specs(?:\[[0-9]+\](?:\.[a-z_]+)*)?|visibility(?:\.[a-z_]+)*): *(.*)$`)

// FieldComment is a review comment on one field. Key and Arg are its field's label (a message
// key and its argument) when the console knows the field, for showing it.
type FieldComment struct {
	Field, Text string
	Key, Arg    string
}

// ReviewComments is a rejection reason split into its overall comment and its comments per
// field, in the order written.
type ReviewComments struct {
	Overall string
	Fields  []FieldComment
}

// For is the comment on field, "" if none.
func (rc ReviewComments) For(field string) string {
	for _, fc := range rc.Fields {
		if fc.Field == field {
			return fc.Text
		}
	}
	return ""
}

// parseReviewComments splits a rejection reason written by composeReviewComments (or by hand,
// in the same form, through the JSON API). Field comments are one line each (composeReviewComments
// joins a comment's lines), so a line that names no field is overall comment.
func parseReviewComments(reason string) ReviewComments {
	var rc ReviewComments
	var overall []string
	for _, line := range strings.Split(reason, "\n") {
		line = strings.TrimRight(line, "\r")
		if m := opFieldLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil && strings.TrimSpace(m[2]) != "" {
			rc.Fields = append(rc.Fields, FieldComment{Field: m[1], Text: strings.TrimSpace(m[2])})
			continue
		}
		overall = append(overall, line)
	}
	rc.Overall = strings.TrimSpace(strings.Join(overall, "\n"))
	return rc
}

// composeReviewComments writes the overall comment and the non-empty field comments as one
// reason; a field comment is kept on its line.
func composeReviewComments(overall string, fields []FieldComment) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(overall))
	for _, fc := range fields {
		text := strings.Join(strings.Fields(fc.Text), " ")
		if text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(fc.Field + ": " + text)
	}
	return b.String()
}

// OfSpec reports whether the comment is at one spec (specs[0], specs[0].name ...).
func (fc FieldComment) OfSpec() bool { return strings.HasPrefix(fc.Field, "specs[") }

// opReviewField is a field the operator may comment on, with its label.
type opReviewField struct {
	Name, Key, Arg string
}

// fieldsToReview are the fields of an application the review form offers a comment box for:
// the type's fields, and for a release or a modification each spec of its draft.
func fieldsToReview(typ market.ApplicationType, specNames []string) []opReviewField {
	var out []opReviewField
	for _, f := range opReviewFields[typ] {
		out = append(out, opReviewField{Name: f, Key: "op.field." + f})
		if f == "specs" {
			for i, name := range specNames {
				out = append(out, opReviewField{Name: fmt.Sprintf("specs[%d]", i), Key: "op.field.spec", Arg: name})
			}
		}
	}
	return out
}

// labelled gives each comment the label of its field, when the form had that field.
func (rc ReviewComments) labelled(fields []opReviewField) ReviewComments {
	out := ReviewComments{Overall: rc.Overall}
	for _, fc := range rc.Fields {
		for _, f := range fields {
			if f.Name == fc.Field {
				fc.Key, fc.Arg = f.Key, f.Arg
			}
		}
		out.Fields = append(out.Fields, fc)
	}
	return out
}
