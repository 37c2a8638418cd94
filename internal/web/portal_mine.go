package web

import "net/http"

// portalMineRoutes registers this part of the citizen portal's pages.
func portalMineRoutes(s *Server, route func(string, http.HandlerFunc)) {}
