package openapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// orderQuery answers GET .../order/query?orderId=&orderLineId= (protocol §8.3).
func (h *Handler) orderQuery(w http.ResponseWriter, r *http.Request) {
	fail := func(code kgp.ErrorCode, msg string) {
		if msg == "" {
			msg = code.Message()
		}
		writeJSON(w, code.HTTPStatus(), kgp.OrderQueryResponse{ResultCode: code, ResultMsg: msg})
	}
	key, code, why := h.authenticate(r, nil)
	if key == nil {
		h.authFailed(r, why)
		fail(code, "")
		return
	}
	if why := textError(r); why != "" {
		fail(kgp.MKTInvalidParam, why)
		return
	}
	q := r.URL.Query()
	orderID, lineID := q.Get("orderId"), q.Get("orderLineId")
	if orderID == "" || len(orderID) > 64 || len(lineID) > 64 {
		fail(kgp.MKTInvalidParam, "orderId is mandatory; orderId and orderLineId are at most 64 characters")
		return
	}
	info, err := h.orderInfo(r.Context(), key.MerchantID, orderID)
	if err != nil {
		if market.ErrorCode(err) == market.CodeNotFound {
			// Another merchant's order and no order at all look the same, so an AK cannot probe
			// for other merchants' order IDs.
			fail(kgp.MKTIllegalOp, "")
			return
		}
		h.Log.Error("order query", "order", orderID, "err", err)
		fail(kgp.MKTInternal, "")
		return
	}
	if mock := mockOf(orderID); mock != "" && strings.HasPrefix(lineID, mock+"-") {
		info.OrderLine[0].OrderLineID = lineID // any line of a mock order, as mercato check makes them
	}
	if lineID != "" {
		i := slices.IndexFunc(info.OrderLine, func(l kgp.OrderLine) bool { return l.OrderLineID == lineID })
		if i < 0 {
			fail(kgp.MKTInvalidParam, "orderLineId does not belong to the order")
			return
		}
		info.OrderLine = info.OrderLine[i : i+1]
	}
	writeJSON(w, http.StatusOK, kgp.OrderQueryResponse{ResultCode: kgp.MKTSuccess, ResultMsg: "success", OrderInfo: info})
}

// orderInfo builds KooGallery's OrderInfo for an order of merchantID, or a mock order.
func (h *Handler) orderInfo(ctx context.Context, merchantID, orderID string) (*kgp.OrderInfo, error) {
	if mock := mockOf(orderID); mock != "" {
		o := MockOrder(mock, h.Clock.Now())
		o.OrderID = orderID
		return o, nil
	}
	o, b, err := h.Orders.OrderWithBuyer(ctx, market.AsSeller(merchantID), orderID)
	if err != nil {
		return nil, err
	}
	info := &kgp.OrderInfo{OrderID: o.ID, OrderType: kgp.OrderType(o.Type), CreateTime: kgp.FormatExpireTime(o.CreatedAt),
		BuyerInfo: &kgp.BuyerInfo{CustomerID: b.CustomerID, CustomerName: b.Name, MobilePhone: b.Mobile, Email: b.Email}}
	for _, l := range o.Lines {
		ol := kgp.OrderLine{OrderLineID: l.ID, ChargingMode: kgp.ChargingMode(l.Charging), PeriodType: l.Period,
			PeriodNumber: l.PeriodNumber, OrderAmount: json.Number(l.Amount.String()), Currency: o.Currency}
		if !l.ExpireAt.IsZero() {
			ol.ExpireTime = kgp.FormatExpireTime(l.ExpireAt)
		}
		if o.Type == market.OrderTrial {
			ol.TrialFlag = "1"
		}
		pi := kgp.ProductInfo{ProductID: l.ProductID, SkuCode: l.SkuCode, LinearValue: int(l.Quantity)}
		if e, err := h.Catalog.Entry(ctx, market.AsSeller(merchantID), l.ProductID); err == nil {
			pi.ProductName = e.Product.Name + " " + e.Spec.Name
		}
		ol.ProductInfo = []kgp.ProductInfo{pi}
		info.OrderLine = append(info.OrderLine, ol)
	}
	return info, nil
}

// mockOf names the documented mock order that orderID is, or is a run-specific copy of
// ("MOCKONDEMAND-ab120001", as mercato check makes 1.0 orders); "" for a real order.
func mockOf(orderID string) string {
	for _, m := range kgp.MockOrders {
		if orderID == m || strings.HasPrefix(orderID, m+"-") {
			return m
		}
	}
	return ""
}

// MockOrder returns one of KooGallery's documented debugging orders (protocol §8.3), which any
// merchant may query: one line, "<id>-000001", on a fixed mock product.
func MockOrder(id string, now time.Time) *kgp.OrderInfo {
	l := kgp.OrderLine{OrderLineID: id + "-000001", Currency: "CNY", OrderAmount: "0.000",
		ProductInfo: []kgp.ProductInfo{{ProductID: "MOCK" + strings.TrimPrefix(id, "MOCK") + "-PRODUCT", SkuCode: "MOCK-SKU", ProductName: "Mock product"}}}
	typ := kgp.OrderNew
	period := func(p string, n int, at time.Time) {
		l.ChargingMode, l.PeriodType, l.PeriodNumber, l.ExpireTime = kgp.ChargingPeriod, p, n, kgp.FormatExpireTime(at)
	}
	switch id {
	case "MOCKPERIODYEARNEW":
		period(kgp.PeriodYear, 1, now.AddDate(1, 0, 0))
		l.OrderAmount = "1000.000"
	case "MOCKONETIMENEW":
		l.ChargingMode, l.OrderAmount = kgp.ChargingOneTime, "100.000"
	case "MOCKONDEMAND":
		l.ChargingMode = kgp.ChargingOnDemand
	case "MOCKONDEMANDPKG":
		l.ChargingMode, l.OrderAmount = kgp.ChargingOnDemandPkg, "50.000"
	case "MOCKPERIODDAYTRIAL":
		typ = kgp.OrderTrial
		period(kgp.PeriodDay, 7, now.AddDate(0, 0, 7))
		l.TrialFlag = "1"
	case "MOCKMONTYTRIALTOFORMAL":
		typ = kgp.OrderTrialToFormal
		period(kgp.PeriodMonth, 1, now.AddDate(0, 1, 0))
		l.OrderAmount = "100.000"
	case "MOCKMONTYUNSUBSCRIBE":
		typ = kgp.OrderUnsubscribe
		period(kgp.PeriodMonth, 1, now)
		l.OrderAmount = "-100.000"
	case "MOCKMONTYRENEW":
		typ = kgp.OrderRenew
		period(kgp.PeriodMonth, 1, now.AddDate(0, 2, 0))
		l.OrderAmount = "100.000"
	case "MOCKMONTYCHANGE":
		typ = kgp.OrderChange
		period(kgp.PeriodMonth, 1, now.AddDate(0, 1, 0))
		l.OrderAmount = "30.000"
		l.ProductInfo[0].SkuCode = "MOCK-SKU-PRO"
	}
	return &kgp.OrderInfo{OrderID: id, OrderType: typ, CreateTime: kgp.FormatExpireTime(now), OrderLine: []kgp.OrderLine{l},
		BuyerInfo: &kgp.BuyerInfo{CustomerID: "MOCKCUSTOMER0000000000000000000", CustomerName: "mock buyer", Email: "mock@example.com"}}
}
