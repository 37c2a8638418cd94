package web

import "net/http"

// queueConsoleRoutes registers the queue's staff pages: the counter's
// screen, the manager's board, and the queue's administration.
func queueConsoleRoutes(s *Server, route func(string, http.HandlerFunc)) {}
