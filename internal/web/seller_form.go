package web

import (
	"errors"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// The seller console's forms show every rule a service reports (market.Problems) at its field,
// all of them, in the user's language: the message is the rule's (seller.rule.RULE), the
// service's English text is the detail shown to English readers. The operator's review
// comments are shown at the fields they name too (see reviewComments).

// problem is one broken rule or review comment at a field.
type problem struct {
	Key    string // message key
	Detail string // the service's own text (English), or the operator's comment
}

// problems are a form's failures by field; "form" holds those that name no field of the form.
type problems map[string][]problem

// At lists field's problems (templates: .Data.Problems.At "listing.name").
func (p problems) At(field string) []problem { return p[field] }

// Has reports whether field has a problem.
func (p problems) Has(field string) bool { return len(p[field]) > 0 }

// Any reports whether there is any problem.
func (p problems) Any() bool { return len(p) > 0 }

func (p problems) add(field, key, detail string) { p[field] = append(p[field], problem{key, detail}) }

// failed records a service's refusal: each detail at the field the form shows it at (fields maps
// a service field to the form's, or to "" to let the default apply; a field the form does not
// have goes to the nearest enclosing field the form has, else to "form"). It reports false for
// errors that are not the user's to fix (not found, internal), which the caller fails with.
func (p problems) failed(l *locale, err error, formFields func(string) string) bool {
	var me *market.Error
	if !errors.As(err, &me) {
		return false
	}
	switch me.Code {
	case market.CodeNotFound, market.CodeInternal, market.CodeUnauthorized, market.CodeUnavailable:
		return false
	}
	list := me.Details
	if len(list) == 0 {
		list = []market.FieldError{{Field: me.Field, Message: me.Message}}
	}
	for _, fe := range list {
		field := formFields(fe.Field)
		key := "error.code." + string(me.Code)
		if fe.Rule != "" && l.Has("seller.rule."+fe.Rule) {
			key = "seller.rule." + fe.Rule
		} else if fe.Rule != "" {
			key = "seller.rule.other"
		}
		p.add(field, key, fe.Message)
	}
	return true
}

// nearestField finds the field of known that name is, or is inside: specs[0].plans[1].price is
// shown at specs[0].plans[1].price if the form has it, else at specs[0].plans, else specs[0] ...
func nearestField(name string, known map[string]bool) string {
	for n := name; n != ""; {
		if known[n] {
			return n
		}
		i := strings.LastIndexAny(n, ".[")
		if i <= 0 {
			break
		}
		n = n[:i]
	}
	return "form"
}

// reviewComments splits an operator's review comment into comments at fields and the rest: a
// line "FIELD: text" (or "FIELD：text") whose FIELD is one of the form's (listing.name, specs[0].name ...) is shown
// at that field; other lines are the general comment. The operator console writes the
// per-field comments of its review form this way (docs/consoles.md, "Seller console").
func reviewComments(comment string, known map[string]bool) (problems, string) {
	at := problems{}
	var rest []string
	for _, line := range strings.Split(comment, "\n") {
		// A Chinese full-width colon separates as well as ":".
		field, text, ok := strings.Cut(strings.Replace(line, "：", ":", 1), ":")
		field, text = strings.TrimSpace(field), strings.TrimSpace(text)
		if ok && text != "" && known[field] {
			at.add(field, "seller.review.comment", text)
			continue
		}
		if strings.TrimSpace(line) != "" {
			rest = append(rest, strings.TrimSpace(line))
		}
	}
	return at, strings.Join(rest, "\n")
}
