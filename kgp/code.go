package kgp

import "net/http"

// ResultCode is the resultCode a merchant's production interface answers with (§4.10).
type ResultCode string

// Result codes of the SaaS basic and kit interfaces (§4.10) and the license variants.
const (
	ResultSuccess          ResultCode = "000000"
	ResultAuthFailed       ResultCode = "000001"
	ResultInvalidParam     ResultCode = "000002"
	ResultInstanceNotFound ResultCode = "000003"
	ResultProcessing       ResultCode = "000004"
	ResultInternalError    ResultCode = "000005"
	ResultNoResource       ResultCode = "000100"
	ResultMobileInvalid    ResultCode = "000101"
	ResultEmailInvalid     ResultCode = "000102"
	ResultNoRepurchase     ResultCode = "000103"
	ResultProductError     ResultCode = "000104"
	ResultBenefitOwned     ResultCode = "000105"
	ResultSoldOut          ResultCode = "000106"
	ResultEmailDomainTaken ResultCode = "000107"
	ResultLicenseQuota     ResultCode = "000900"
	ResultLicenseValidity  ResultCode = "000901"
	ResultLicenseExpiry    ResultCode = "000902"
	ResultLicenseDevice    ResultCode = "000903"
)

var resultMeanings = map[ResultCode]string{
	ResultSuccess:          "success",
	ResultAuthFailed:       "authentication failed",
	ResultInvalidParam:     "invalid request parameter",
	ResultInstanceNotFound: "instance does not exist",
	ResultProcessing:       "request is being processed",
	ResultInternalError:    "internal error",
	ResultNoResource:       "no instance resource available",
	ResultMobileInvalid:    "mobile number empty or duplicate",
	ResultEmailInvalid:     "email empty or duplicate",
	ResultNoRepurchase:     "product cannot be purchased again",
	ResultProductError:     "product internal service error",
	ResultBenefitOwned:     "account already owns the benefit",
	ResultSoldOut:          "product resources sold out",
	ResultEmailDomainTaken: "SaaS email domain already exists",
	ResultLicenseQuota:     "order's license quota insufficient",
	ResultLicenseValidity:  "apply within the order's validity",
	ResultLicenseExpiry:    "period license needs an expiry date",
	ResultLicenseDevice:    "device fingerprint or hardware ID required",
}

// Meaning returns the documented meaning of c, or "" for an unknown code.
func (c ResultCode) Meaning() string { return resultMeanings[c] }

// Known reports whether c is a documented result code.
func (c ResultCode) Known() bool { _, ok := resultMeanings[c]; return ok }

// ErrorCode is the error_code of KooGallery's open API (§8.7, §8.9).
type ErrorCode string

// Open-API error codes: MKT.* for order query and usage push, 9202xxxx for licenses.
const (
	MKTSuccess         ErrorCode = "MKT.0000"
	MKTInternal        ErrorCode = "MKT.0999"
	MKTBadInput        ErrorCode = "MKT.0100"
	MKTInvalidParam    ErrorCode = "MKT.0101"
	MKTInvalidBodySign ErrorCode = "MKT.0102"
	MKTRequestError    ErrorCode = "MKT.0199"
	MKTIllegalOp       ErrorCode = "MKT.0150"
	MKTNoAuthority     ErrorCode = "MKT.0151"
	MKTIllegalToken    ErrorCode = "MKT.0154"
	MKTAccessDenied    ErrorCode = "MKT.0250"
	MKTNoInstance      ErrorCode = "MKT.9001"
	MKTInvalidUsage    ErrorCode = "MKT.9002"
	MKTTooManyRecords  ErrorCode = "MKT.9003"
	MKTBeginTooOld     ErrorCode = "MKT.9004"
	MKTUsageRejected   ErrorCode = "MKT.9005"

	LicenseSuccess      ErrorCode = "92020000"
	LicenseUnauthorized ErrorCode = "92020001"
	LicenseInvalidParam ErrorCode = "92020002"
	LicenseNotReceived  ErrorCode = "92020004"
	LicenseNotFound     ErrorCode = "92020005"
)

type errorInfo struct {
	status  int
	message string
}

// The documented HTTP status and error_msg of each code. Where the documentation's text was
// cut off (MKT.0250, MKT.9005) the message is ours.
var errorInfos = map[ErrorCode]errorInfo{
	MKTSuccess:          {http.StatusOK, "Success."},
	MKTInternal:         {http.StatusInternalServerError, "System internal error."},
	MKTBadInput:         {http.StatusInternalServerError, "Failure of input parameter"},
	MKTInvalidParam:     {http.StatusBadRequest, "Invalid parameter"},
	MKTInvalidBodySign:  {http.StatusBadRequest, "Invalid body sign"},
	MKTRequestError:     {http.StatusBadRequest, "Request parameter error"},
	MKTIllegalOp:        {http.StatusUnauthorized, "Illegal operation"},
	MKTNoAuthority:      {http.StatusUnauthorized, "No authority"},
	MKTIllegalToken:     {http.StatusUnauthorized, "Illegal token"},
	MKTAccessDenied:     {http.StatusNotAcceptable, "Access denied."},
	MKTNoInstance:       {http.StatusInternalServerError, "Instance ID not found."},
	MKTInvalidUsage:     {http.StatusInternalServerError, "Invalid usage enties."},
	MKTTooManyRecords:   {http.StatusInternalServerError, "Usage records extends size limit."},
	MKTBeginTooOld:      {http.StatusInternalServerError, "Record beginTime extends Limit."},
	MKTUsageRejected:    {http.StatusInternalServerError, "Usage records rejected."},
	LicenseSuccess:      {http.StatusOK, "success"},
	LicenseUnauthorized: {http.StatusForbidden, "Unauthorized"},
	LicenseInvalidParam: {http.StatusBadRequest, "Invalid parameter"},
	LicenseNotReceived:  {http.StatusOK, "License cannot be activated before the user has received it"},
	LicenseNotFound:     {http.StatusOK, "License code does not exist"},
}

// HTTPStatus returns the HTTP status KooGallery answers with for c (500 for unknown codes).
func (c ErrorCode) HTTPStatus() int {
	if i, ok := errorInfos[c]; ok {
		return i.status
	}
	return http.StatusInternalServerError
}

// Message returns the documented error_msg for c.
func (c ErrorCode) Message() string { return errorInfos[c].message }

// Success reports whether c means success.
func (c ErrorCode) Success() bool { return c == MKTSuccess || c == LicenseSuccess }
