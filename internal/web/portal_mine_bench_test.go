package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// The "My dossiers" benchmark's dataset: a million dossiers of 250,000
// applicants over three years, one applicant (a household business) with
// 5,000, and the benchmark's citizen with 25 received through the engine.
const (
	mineBenchDossiers = 1_000_000
	mineBenchVersion  = "v1"
	mineBenchCitizen  = "099990000001" // 25 dossiers
	mineBenchHeavy    = "079000000001" // 5,000 dossiers
)

var mineBenchNow = time.Date(2026, 11, 27, 9, 30, 0, 0, calendar.Location)

// BenchmarkCitizenDossiers measures the server time of the citizen's "My
// dossiers" pages — session, database, audit entry and template, without
// the network — with a million dossiers in the database, and reports p50
// and p99: the list's first and second page, the list of an applicant with
// 5,000 dossiers, and one dossier's page. The target is under 20 ms. The
// dataset is written once straight into the tables (a few minutes) and kept
// in MOTCUA_BENCH_DIR (default: the temp directory), or in
// MOTCUA_BENCH_DATABASE_URL for PostgreSQL.
//
//	go test ./internal/web -run '^$' -bench CitizenDossiers -benchtime 200x -timeout 60m
func BenchmarkCitizenDossiers(b *testing.B) {
	ctx := context.Background()
	a := mineBenchApp(b)
	var total int
	if err := a.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM dossiers").Scan(&total); err != nil {
		b.Fatal(err)
	}
	if total < mineBenchDossiers {
		b.Fatalf("dataset has %d dossiers, want %d", total, mineBenchDossiers)
	}
	b.Logf("%d dossiers (%s)", total, a.DB.Engine())
	var code string
	a.DB.Read().QueryRowContext(ctx, "SELECT code FROM dossiers WHERE applicant_id = $1 ORDER BY submitted_at DESC LIMIT 1", mineBenchCitizen).Scan(&code)
	if code == "" {
		b.Fatal("the benchmark citizen has no dossiers")
	}
	cookie := func(id string) string {
		sess, err := a.Citizens.SignIn(ctx, citizen.Identity{Issuer: "bench", Subject: id, IDNumber: id, FullName: "Người Dùng Thử", Level: citizen.Level2}, "", "")
		if err != nil {
			b.Fatal(err)
		}
		return sess.Token
	}
	h := a.Web.Handler()
	pages := []struct{ name, id, path, want string }{
		{"list", mineBenchCitizen, "/cong-dan/ho-so", "trang 1/3"},
		{"list-page-2", mineBenchCitizen, "/cong-dan/ho-so?trang=2", "trang 2/3"},
		{"list-5000", mineBenchHeavy, "/cong-dan/ho-so", "trang 1/500"},
		{"list-5000-page-400", mineBenchHeavy, "/cong-dan/ho-so?trang=400", "trang 400/500"},
		{"dossier", mineBenchCitizen, "/cong-dan/ho-so/" + code, code},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", p.path, nil)
			req.Header.Set("Cookie", "motcua_citizen="+cookie(p.id))
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req.Clone(ctx))
				lat = append(lat, time.Since(start))
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), p.want) {
					b.Fatalf("%s: status %d: %.300s", p.path, rec.Code, rec.Body.String())
				}
			}
			b.StopTimer()
			apptest.ReportLatency(b, lat)
		})
	}
}

// mineBenchApp opens (and the first time fills) the benchmark database.
func mineBenchApp(b *testing.B) *app.App {
	return apptest.BenchApp(b, "mine-bench-"+mineBenchVersion, mineBenchNow, func(ctx context.Context, a *app.App) error {
		if _, err := demo.SeedCommune(ctx, a.DB, mineBenchNow); err != nil {
			return err
		}
		return mineBenchFill(ctx, a)
	})
}

// mineBenchFill writes the synthetic dossiers straight into the table, as
// the engine would have left them after three years, then receives the
// benchmark citizen's own dossiers through the engine.
func mineBenchFill(ctx context.Context, a *app.App) error {
	home, err := a.Org.Home(ctx)
	if err != nil {
		return err
	}
	procs := a.Catalog.Catalog().All()
	r := rand.New(rand.NewPCG(9, 2026))
	cols := []string{"id", "code", "agency_code", "procedure_code", "procedure_version", "procedure_name", "channel", "state", "status",
		"applicant_name", "applicant_id", "lookup_key", "submitted_at", "received_at", "due_at", "finished_at", "result_doc", "created_at", "updated_at"}
	const perStmt, perTx = 400, 20
	start := mineBenchNow.AddDate(-3, 0, 0)
	span := mineBenchNow.Sub(start)
	n := 0
	for n < mineBenchDossiers {
		err := a.DB.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			for range perTx {
				var vals []string
				var args []any
				for range perStmt {
					if n >= mineBenchDossiers {
						break
					}
					// Dossiers in submission order, so that codes are the
					// days' sequences.
					at := start.Add(time.Duration(float64(span) * float64(n) / mineBenchDossiers))
					p := procs[r.IntN(len(procs))]
					applicant := fmt.Sprintf("03%010d", r.IntN(250_000))
					if n%200 == 7 {
						applicant = mineBenchHeavy
					}
					state, status := "returned", 10
					var finished any = at.Add(48 * time.Hour).UnixMilli()
					result := "{}"
					if n%3 == 0 {
						result = fmt.Sprintf(`{"code":"%d/KQ","file_url":"kq.pdf","electronic_at":%q,"method":"online"}`, n, at.Add(48*time.Hour).UTC().Format(time.RFC3339))
					}
					if mineBenchNow.Sub(at) < 10*24*time.Hour {
						state, status, finished = "processing", 4, nil
					}
					ph := make([]string, len(cols))
					for i := range cols {
						ph[i] = fmt.Sprintf("$%d", len(args)+i+1)
					}
					vals = append(vals, "("+strings.Join(ph, ", ")+")")
					ms := at.UnixMilli()
					args = append(args, fmt.Sprintf("bench%07d", n), fmt.Sprintf("%s-%s-B%06d", home.Code, at.In(calendar.Location).Format("060102"), n), home.Code,
						p.Code, 1, p.Name, "in_person", state, status, "Nguyễn Văn Thử", applicant, "BENCHKEY", ms, ms, at.Add(72*time.Hour).UnixMilli(), finished, result, ms, ms)
					n++
				}
				if len(vals) == 0 {
					return nil
				}
				if _, err := tx.ExecContext(ctx, "INSERT INTO dossiers ("+strings.Join(cols, ", ")+") VALUES "+strings.Join(vals, ", "), args...); err != nil {
					return fmt.Errorf("fill: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// The citizen's own, received at the counter through the engine over
	// the past months.
	counter := &identity.Principal{ID: "bench-counter", Name: "Cán bộ thử", Roles: []string{identity.RoleCounter}, Agency: home.Code}
	var req dossier.SubmitRequest
	if err := json.Unmarshal([]byte(maritalJSON("Người Dùng Thử", mineBenchCitizen)), &req); err != nil {
		return err
	}
	for i := range 25 {
		at := mineBenchNow.AddDate(0, 0, -7*(25-i))
		at = time.Date(at.Year(), at.Month(), at.Day(), 9, 0, 0, 0, calendar.Location)
		if _, err := a.Dossiers.SubmitAt(ctx, counter, req, "", at); err != nil {
			return fmt.Errorf("citizen's dossier %d: %w", i, err)
		}
	}
	return nil
}
