package web

// ParseReviewComments exposes the rejection reason's reading to the operator console's tests.
var ParseReviewComments = parseReviewComments
