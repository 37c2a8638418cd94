// Package apperr is motcua's error type: a kind that maps once to an HTTP
// status, a stable machine code that clients and tests rely on, and a
// message in plain Vietnamese for the person in front of the screen.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error for its HTTP status.
type Kind int

// Kinds of error.
const (
	Internal         Kind = iota // a fault of ours: 500, details logged not shown
	Invalid                      // bad input: 400
	NotFound                     // 404
	Conflict                     // 409: the state does not allow it, or a duplicate
	Unauthorized                 // 401: who are you?
	Forbidden                    // 403: not allowed for you
	RateLimited                  // 429
	TooLarge                     // 413
	UnsupportedMedia             // 415
	Unavailable                  // 503: a national system we depend on does not answer
)

// Error is an error to show a user.
type Error struct {
	Kind    Kind
	Code    string // stable, snake_case, e.g. "procedure_not_found"
	Message string // Vietnamese, plain words
	Field   string // the input field at fault, if any
	Err     error  // the cause, for logs
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind with a code and a Vietnamese message.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Field returns an Invalid error about one input field.
func Field(field, code, message string) *Error {
	return &Error{Kind: Invalid, Code: code, Message: message, Field: field}
}

// Wrap marks err as an internal error with context for the logs.
func Wrap(err error, what string) *Error {
	return &Error{Kind: Internal, Code: "internal", Message: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút.", Err: fmt.Errorf("%s: %w", what, err)}
}

// As returns err as an *Error; anything else becomes an internal error.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Code: "internal", Message: "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút.", Err: err}
}

// Status is the HTTP status for the error's kind.
func (e *Error) Status() int {
	switch e.Kind {
	case Invalid:
		return http.StatusBadRequest
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case RateLimited:
		return http.StatusTooManyRequests
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case UnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
