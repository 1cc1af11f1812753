package web

import "net/http"

func (c *Console) registerGapCloud(mux *http.ServeMux) {}
