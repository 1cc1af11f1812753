package web

import "net/http"

func (c *Console) registerGapSellerMore(mux *http.ServeMux) {}
