package web

import (
	_ "embed"
	"net/http"
)

// openAPI is the API's description (OpenAPI 3.1), kept next to the handlers.
//
//go:embed openapi.json
var openAPI []byte

// GET /api/v1/openapi.json
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPI)
}

// Routes lists the registered route patterns ("GET /api/v1/…"), for the
// test that keeps the OpenAPI document complete.
func (s *Server) Routes() []string { return s.routes }
