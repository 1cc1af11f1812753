package conformance

import (
	"context"
	"fmt"

	"github.com/mercato-oss/mercato/kgp"
)

// changeInstanceCheck (§4.8): before a renewal with a spec change, KooGallery asks the merchant
// whether the instance can take the target spec (a downgrade must fit current usage). The cases
// are optional, as the interface is needed only when renewal with a change is enabled (§0.1),
// and 2.0 only.

// notChange is why the changeInstanceCheck cases do not apply to 1.0.
const notChange = "changeInstanceCheck is a 2.0 interface (§0.1, §4.8)"

// changeCheck asks whether instance id may renew into the documented change order's pro SKU.
func (p *probe) changeCheck(id string, linear int) request {
	return request{basic: kgp.ChangeInstanceCheck{InstanceID: id, TestFlag: kgp.TestFlagDebug,
		ProductInfo: &kgp.ProductInfo{ProductID: "MOCKMONTYCHANGE-PRODUCT", SkuCode: "MOCK-SKU-PRO", LinearValue: linear, ProductName: "Mock product"}}}
}

// acceptChangeCheck: a check of a fresh instance for an upgrade is answered 000000.
func acceptChangeCheck(ctx context.Context, c *caseRun) (string, error) {
	id, _, err := c.create(ctx, c.fresh(mockPeriodYearNew))
	if err != nil {
		return "", err
	}
	r := c.send(ctx, c.changeCheck(id, 0))
	if err := r.expectSuccess("acceptance", "changeInstanceCheck of "+id+" for an upgrade", false); err != nil {
		return "", err
	}
	// A check is a question: asking twice gets the same answer.
	r = c.send(ctx, c.changeCheck(id, 0))
	if err := r.expectSuccess("idempotency", "a repeated changeInstanceCheck of "+id, false); err != nil {
		return "", err
	}
	return "upgrade check agreed, twice", nil
}

// changeUnknown: a merchant cannot agree to change an instance it never created (000003).
func changeUnknown(ctx context.Context, c *caseRun) (string, error) {
	id := c.unique("mercato-check-unknown-")
	r := c.send(ctx, c.changeCheck(id, 0))
	if err := r.expectRejected("check without existence", "changeInstanceCheck of an unknown instance", kgp.ResultInstanceNotFound); err != nil {
		return "", err
	}
	return fmt.Sprintf("unknown instance refused with %s", r.code()), nil
}

// changeMissingField: a check without productInfo (mandatory, §4.8) gets 000002.
func changeMissingField(ctx context.Context, c *caseRun) (string, error) {
	id, _, err := c.create(ctx, c.fresh(mockPeriodYearNew))
	if err != nil {
		return "", err
	}
	r := c.send(ctx, c.changeCheck(id, 0), dropField("productInfo"))
	if err := r.expectRejected("mandatory field", "changeInstanceCheck without productInfo", fieldCodes...); err != nil {
		return "", err
	}
	return "refused with " + string(r.code()), nil
}
