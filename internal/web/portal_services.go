package web

import "net/http"

// portalServiceRoutes registers this part of the citizen portal's pages.
func portalServiceRoutes(s *Server, route func(string, http.HandlerFunc)) {}
