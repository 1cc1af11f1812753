package web

import "net/http"

// The seller console's pages that close its gaps against the JSON API (see gap_seller_*.go).

func (c *Console) registerGapSeller(mux *http.ServeMux) {
}
