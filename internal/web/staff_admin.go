package web

import "net/http"

// adminRoutes registers the administration pages.
func (s *Server) adminRoutes(route func(string, http.HandlerFunc)) {}
