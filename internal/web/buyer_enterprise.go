package web

import "net/http"

func (c *Console) registerEnterprise(mux *http.ServeMux) {}
