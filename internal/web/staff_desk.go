package web

import "net/http"

// deskRoutes registers the leader's desk, the return of results and the
// register.
func (s *Server) deskRoutes(route func(string, http.HandlerFunc)) {}
