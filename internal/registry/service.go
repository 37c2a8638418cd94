package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// Service looks residents up through the port and audits every lookup:
// who read whose data, when, and for which procedure.
type Service struct {
	Pop Population
	db  *store.DB
	now func() time.Time
}

// NewService returns the lookup service.
func NewService(db *store.DB, pop Population, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{Pop: pop, db: db, now: now}
}

// Sandbox reports whether lookups go to the sandbox.
func (s *Service) Sandbox() bool { return s.Pop.Sandbox() }

// Lookup finds a resident for an officer (or a citizen about themself).
func (s *Service) Lookup(ctx context.Context, p *identity.Principal, idNumber, procedure string) (*Person, error) {
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "authentication_required", "Cần đăng nhập để tra cứu dữ liệu dân cư.")
	}
	idNumber = strings.TrimSpace(idNumber)
	if !reID.MatchString(idNumber) {
		// Not an ID number (a name typed in the box): nothing is asked of
		// the population database, so there is nothing to audit.
		return nil, ErrInvalidID
	}
	person, err := s.Pop.Lookup(ctx, idNumber, Purpose{Procedure: procedure, Officer: p.ID})
	outcome := "found"
	if err != nil {
		outcome = "error"
		if err == ErrNotFound {
			outcome = "not_found"
		}
	}
	if aerr := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(), Action: "resident.lookup", ObjectType: "resident", ObjectID: mask(idNumber),
			Detail: map[string]any{"procedure": procedure, "outcome": outcome, "sandbox": s.Pop.Sandbox()}})
	}); aerr != nil {
		return nil, apperr.Wrap(aerr, "audit lookup")
	}
	return person, err
}

// mask keeps the first and last three characters of an ID number.
func mask(id string) string {
	r := []rune(id)
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-6) + string(r[len(r)-3:])
}

// InProcess is an HTTP client that hands requests straight to h, without a
// network: motcua's own sandbox speaks the protocol without a port to open.
func InProcess(h http.Handler) *http.Client {
	return &http.Client{Timeout: timeout, Transport: roundTripper{h}}
}

type roundTripper struct{ h http.Handler }

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	r.URL.Path = strings.TrimPrefix(r.URL.Path, "/sandbox/population")
	rt.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
