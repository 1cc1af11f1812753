package web

import "net/http"

func (c *Console) registerGapBuyerMore(mux *http.ServeMux) {
}
