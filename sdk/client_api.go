package sdk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mercato-oss/mercato/kgp"
)

var _ OrderQuerier = (*Client)(nil)

// QueryOrder returns an order and, when orderLineID is not empty, only that line (§8.3). Use
// the mock orders (kgp.MockOrders, line "<id>-000001") to try it out.
func (c *Client) QueryOrder(ctx context.Context, orderID, orderLineID string) (*kgp.OrderInfo, error) {
	if orderID == "" {
		return nil, &kgp.FieldError{Field: "orderId", Problem: "mandatory field missing"}
	}
	q := url.Values{"orderId": {orderID}}
	if orderLineID != "" {
		q.Set("orderLineId", orderLineID)
	}
	var resp kgp.OrderQueryResponse
	if err := c.do(ctx, request{method: http.MethodGet, path: kgp.PathOrderQuery, query: q}, &resp); err != nil {
		return nil, err
	}
	if resp.OrderInfo == nil {
		return nil, &kgp.ErrorResponse{ErrorCode: resp.ResultCode, ErrorMsg: "order query answered no orderInfo"}
	}
	return resp.OrderInfo, nil
}

// MeteringSN derives the metering_sn of a usage record from its instance and window, so that
// the same usage always carries the same serial number and KooGallery discards a repeat instead
// of billing it twice.
func MeteringSN(instanceID, beginTime, endTime string) string {
	sum := sha256.Sum256([]byte(instanceID + "\x1f" + beginTime + "\x1f" + endTime))
	return hex.EncodeToString(sum[:16])
}

// PushError reports a usage push that failed part way: the batches before Sent records were
// acknowledged.
type PushError struct {
	Sent int   // records acknowledged before the failing batch
	Err  error // usually a *kgp.ErrorResponse
}

// Error implements error.
func (e *PushError) Error() string {
	return fmt.Sprintf("sdk: usage push failed after %d records: %v", e.Sent, e.Err)
}

// Unwrap returns the batch's error.
func (e *PushError) Unwrap() error { return e.Err }

// PushUsage reports usage records with the new usage push (§8.5): in batches of at most 1000,
// each body in canonical JSON signed with the access key (signature, ts, nonce headers) and
// the call signed with APIG. A record without MeteringSN gets MeteringSN(instance, begin,
// end). Every record is checked before anything is sent. Retrying a push, whole or in part,
// never bills twice: the serial numbers stay the same.
func (c *Client) PushUsage(ctx context.Context, records []kgp.UsageRecord) error {
	if c.cfg.AccessKey == "" {
		return errors.New("sdk: ClientConfig.AccessKey is required to push usage")
	}
	recs := make([]kgp.UsageRecord, len(records))
	for i, r := range records {
		if r.MeteringSN == "" {
			r.MeteringSN = MeteringSN(r.InstanceID, r.BeginTime, r.EndTime)
		}
		if _, err := r.Check(false); err != nil {
			return fmt.Errorf("sdk: usage record %d: %w", i, err)
		}
		recs[i] = r
	}
	for start := 0; start < len(recs); start += kgp.MaxUsageRecords {
		batch := recs[start:min(start+kgp.MaxUsageRecords, len(recs))]
		raw, err := json.Marshal(kgp.UsagePush{UsageRecords: batch})
		if err != nil {
			return err
		}
		body, err := kgp.CanonicalJSON(raw)
		if err != nil {
			return err
		}
		var ack kgp.ErrorResponse
		if err := c.do(ctx, request{method: http.MethodPost, path: kgp.PathUsagePush, body: body, usage: true}, &ack); err != nil {
			return &PushError{Sent: start, Err: err}
		}
	}
	return nil
}

// ActivateLicense activates a license code (§8.7) and returns its state; expire_time in it is
// an estimate.
func (c *Client) ActivateLicense(ctx context.Context, license string, info *kgp.HeartbeatInfo) (*kgp.LicenseCodeInfo, error) {
	body, err := licenseBody(kgp.LicenseRequest{License: license, HeartbeatInfo: info})
	if err != nil {
		return nil, err
	}
	var resp kgp.LicenseActivateResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: kgp.PathLicenseActivate, body: body}, &resp); err != nil {
		return nil, err
	}
	return resp.CodeInfo()
}

// Heartbeat reports that a license is in use (the v1 heartbeat, §8.7) and returns its state.
// Call it once a day, on the first use of the software that day.
func (c *Client) Heartbeat(ctx context.Context, license string, info *kgp.HeartbeatInfo) (*kgp.LicenseInfo, error) {
	body, err := licenseBody(kgp.LicenseRequest{License: license, HeartbeatInfo: info})
	if err != nil {
		return nil, err
	}
	var resp kgp.LicenseResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: kgp.PathLicenseHeartbeat, body: body}, &resp); err != nil {
		return nil, err
	}
	if resp.Data == nil {
		return nil, &kgp.ErrorResponse{ErrorCode: resp.ErrorCode, ErrorMsg: "heartbeat answered no data"}
	}
	return resp.Data, nil
}

// HeartbeatBatch is the v2 batch heartbeat: one answer per license, in order. Lists longer
// than kgp.MaxLicenseBatch are sent in several calls.
func (c *Client) HeartbeatBatch(ctx context.Context, licenses []kgp.LicenseRequest) ([]kgp.LicenseBatchEntry, error) {
	var out []kgp.LicenseBatchEntry
	for start := 0; start < len(licenses); start += kgp.MaxLicenseBatch {
		batch := kgp.LicenseBatchRequest{Licenses: licenses[start:min(start+kgp.MaxLicenseBatch, len(licenses))]}
		body, err := json.Marshal(batch)
		if err != nil {
			return nil, err
		}
		if _, err := kgp.DecodeLicenseBatch(body); err != nil { // the documented field rules
			return nil, err
		}
		var resp kgp.LicenseBatchResponse
		if err := c.do(ctx, request{method: http.MethodPost, path: kgp.PathLicenseBatch, body: body}, &resp); err != nil {
			return out, err
		}
		out = append(out, resp.Data...)
	}
	return out, nil
}

// licenseBody encodes and validates a license request.
func licenseBody(r kgp.LicenseRequest) ([]byte, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if _, err := kgp.DecodeLicenseRequest(body); err != nil {
		return nil, err
	}
	return body, nil
}
