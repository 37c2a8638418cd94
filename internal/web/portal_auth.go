package web

import "net/http"

// portalAuthRoutes registers this part of the citizen portal's pages.
func portalAuthRoutes(s *Server, route func(string, http.HandlerFunc)) {}
