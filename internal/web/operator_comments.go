package web

import (
	"regexp"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Review comments per field. A rejection has one reason (publish.Service.Reject), which the
// seller reads in the review details (the JSON API's "comment") and the console shows at the
// fields. The operator console writes it as an overall comment followed by one line per field:
//
//	The listing needs work before it can go on sale.
//	[listing.name] The name must not carry a version.
//	[listing.version] Use the V1.0 form.
//
// Field names are the publish service's own, as in its validation errors (market.FieldError),
// so the seller console shows a comment where it shows that field's rule failures. A reason not
// written this way is all overall comment.

// reviewFields are the fields an operator comments on, by application type, in form order.
var reviewFields = map[market.ApplicationType][]string{
	market.AppRelease:      {"listing.name", "listing.version", "listing.summary", "listing.description", "listing.usage_guide", "listing.agreement", "listing.logo", "specs"},
	market.AppModification: {"listing.name", "listing.version", "listing.summary", "listing.description", "listing.usage_guide", "listing.agreement", "listing.logo", "specs"},
	market.AppVisibility:   {"visibility"},
	market.AppRemoval:      {"removal.reason", "removal.proofs"},
	market.AppBusinessPlan: {"business_plan.years"},
}

var fieldLine = regexp.MustCompile(`^\[([a-z_.]+)\] ?(.*)$`)

// FieldComment is a review comment on one field.
type FieldComment struct {
	Field, Text string
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
// in the same form through the JSON API).
func parseReviewComments(reason string) ReviewComments {
	var rc ReviewComments
	var overall []string
	for _, line := range strings.Split(reason, "\n") {
		line = strings.TrimRight(line, "\r")
		if m := fieldLine.FindStringSubmatch(line); m != nil {
			rc.Fields = append(rc.Fields, FieldComment{Field: m[1], Text: strings.TrimSpace(m[2])})
			continue
		}
		if len(rc.Fields) > 0 && strings.TrimSpace(line) != "" {
			// A line after a field's line continues that field's comment.
			last := &rc.Fields[len(rc.Fields)-1]
			last.Text = strings.TrimSpace(last.Text + " " + strings.TrimSpace(line))
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
		b.WriteString("[" + fc.Field + "] " + text)
	}
	return b.String()
}
