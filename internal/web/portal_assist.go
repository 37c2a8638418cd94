package web

import "net/http"

// portalAssistRoutes registers this part of the citizen portal's pages.
func portalAssistRoutes(s *Server, route func(string, http.HandlerFunc)) {}
