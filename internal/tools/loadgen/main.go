// Command loadgen measures motcua under load from a second process, as a
// commune's counters, kiosks and citizens would load it: it builds and
// starts motcua on a fresh database (SQLite, or PostgreSQL with
// -database-url), then runs a scenario with many concurrent clients and
// prints throughput and latency percentiles.
//
//	go run ./internal/tools/loadgen -scenario intake -clients 64 -duration 10s
//	go run ./internal/tools/loadgen -scenario lookup -clients 64 -duration 10s
//	go run ./internal/tools/loadgen -scenario intake -database-url postgres://…
//	go run ./internal/tools/loadgen -scenario queue -rate 200 -duration 20s   # tickets and call-next, open loop
//	go run ./internal/tools/loadgen -scenario boards -boards 500 -calls 200   # a call reaching 500 display boards
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	scenario := flag.String("scenario", "intake", "intake (POST /api/v1/dossiers), lookup (GET /api/v1/public/dossiers/{code}), queue (tickets and call-next) or boards (calls reaching display boards)")
	rate := flag.Float64("rate", 0, "open loop: start this many operations a second, whatever the answers' speed (0: closed loop with -clients)")
	boards := flag.Int("boards", 500, "boards scenario: display boards connected by Server-Sent Events")
	calls := flag.Int("calls", 200, "boards scenario: calls to time")
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured warm-up")
	dbURL := flag.String("database-url", "", "PostgreSQL URL; a fresh schema is created in it (default: SQLite in a temporary directory)")
	keep := flag.Bool("keep", false, "keep the temporary data directory")
	flag.Parse()
	opts = options{rate: *rate, boards: *boards, calls: *calls}
	if err := run(*scenario, *clients, *duration, *warmup, *dbURL, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// options are the queue scenarios' settings.
type options struct {
	rate          float64
	boards, calls int
}

var opts options

func run(scenario string, clients int, duration, warmup time.Duration, dbURL string, keep bool) error {
	dir, err := os.MkdirTemp("", "motcua-load")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "motcua")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/motcua").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	dbArgs := []string{"--data-dir", filepath.Join(dir, "data")}
	engine := "sqlite"
	if dbURL != "" {
		schema := fmt.Sprintf("load_%d", time.Now().UnixNano())
		admin, err := sql.Open("pgx", dbURL)
		if err != nil {
			return err
		}
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			return err
		}
		defer func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() }()
		u, _ := url.Parse(dbURL)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dbArgs = []string{"--database-url", u.String()}
		engine = "postgres"
	}
	addr := freeAddr()
	// Every client of the load test comes from this one address: the
	// per-address limit on anonymous requests would measure itself.
	args := []string{"demo", "--addr", addr, "--log-level", "warn", "--rate-limit", "0"}
	if p := os.Getenv("LOADGEN_PPROF"); p != "" {
		args = append(args, "--pprof-addr", p)
	}
	srv := exec.Command(bin, append(args, dbArgs...)...)
	srv.Stderr = os.Stderr
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Open http") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("motcua did not start")
	}
	tokOut, err := exec.Command(bin, append([]string{"token", "create", "--user", "motcua.lan"}, dbArgs...)...).Output()
	if err != nil {
		return fmt.Errorf("token: %v", err)
	}
	token := strings.TrimSpace(string(tokOut))
	base := "http://" + addr
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	var do func(r *rand.Rand) (int, error)
	switch scenario {
	case "intake":
		do = func(r *rand.Rand) (int, error) { return intake(client, base, token, r) }
	case "lookup":
		fmt.Fprintln(os.Stderr, "loadgen: filing 2,000 dossiers to look up")
		var pairs [][2]string
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 2000; i++ {
			code, key, err := intakeOne(client, base, token, r)
			if err != nil {
				return err
			}
			pairs = append(pairs, [2]string{code, key})
		}
		do = func(r *rand.Rand) (int, error) {
			p := pairs[r.IntN(len(pairs))]
			resp, err := client.Get(base + "/api/v1/public/dossiers/" + p[0] + "?key=" + p[1])
			if err != nil {
				return 0, err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode, nil
		}
	case "queue":
		kiosk, counters, err := queueTokens(bin, dbArgs)
		if err != nil {
			return err
		}
		groups := []string{"ho_tich", "chung_thuc", "kinh_doanh", "xa_hoi", "cu_tru", "ho_tich"}
		var n atomic.Int64
		do = func(r *rand.Rand) (int, error) {
			i := n.Add(1)
			if i%2 == 0 {
				prio := ""
				if r.IntN(7) == 0 {
					prio = "elderly"
				}
				b, _ := json.Marshal(map[string]string{"group": groups[r.IntN(len(groups))], "priority": prio})
				return post(client, base+"/api/v1/queue/tickets", kiosk, b)
			}
			c := int(i/2)%6 + 1
			return post(client, fmt.Sprintf("%s/api/v1/queue/counters/%d/call-next", base, c), counters[c-1], nil)
		}
	case "boards":
		kiosk, counters, err := queueTokens(bin, dbArgs)
		if err != nil {
			return err
		}
		return boardsScenario(base, kiosk, counters[0], opts.boards, opts.calls, engine)
	default:
		return fmt.Errorf("unknown scenario %q", scenario)
	}
	if opts.rate > 0 {
		return openLoop(scenario, engine, do, opts.rate, duration, warmup)
	}

	var measuring atomic.Bool
	var stop atomic.Bool
	lat := make([][]time.Duration, clients)
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 99))
			for !stop.Load() {
				t0 := time.Now()
				st, err := do(r)
				d := time.Since(t0)
				if !measuring.Load() {
					continue
				}
				if err != nil || st >= 300 {
					bad.Add(1)
					continue
				}
				ok.Add(1)
				lat[i] = append(lat[i], d)
			}
		}(i)
	}
	time.Sleep(warmup)
	measuring.Store(true)
	if p := os.Getenv("LOADGEN_PPROF"); p != "" {
		// Profile the server while it is under the measured load.
		go func() {
			secs := int(min(duration, 10*time.Second).Seconds())
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p, secs))
			if err != nil {
				fmt.Fprintln(os.Stderr, "loadgen: profile:", err)
				return
			}
			defer resp.Body.Close()
			out := filepath.Join(os.TempDir(), "motcua-"+scenario+".prof")
			f, _ := os.Create(out)
			io.Copy(f, resp.Body)
			f.Close()
			fmt.Fprintln(os.Stderr, "loadgen: server CPU profile in", out)
		}()
	}
	t0 := time.Now()
	time.Sleep(duration)
	measuring.Store(false)
	elapsed := time.Since(t0)
	stop.Store(true)
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	fmt.Printf("scenario=%s engine=%s clients=%d duration=%s ok=%d errors=%d rate=%.0f/s p50=%s p95=%s p99=%s max=%s\n",
		scenario, engine, clients, elapsed.Round(time.Millisecond), ok.Load(), bad.Load(), float64(ok.Load())/elapsed.Seconds(),
		pct(0.50).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	return nil
}

var given = []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Minh", "Nam", "Phúc", "Quyên", "Sơn", "Thảo", "Trang", "Vinh"}

func body(r *rand.Rand) []byte {
	name := "Nguyễn Thị " + given[r.IntN(len(given))]
	id := fmt.Sprintf("0381%02d%06d", 80+r.IntN(20), r.IntN(1000000))
	b, _ := json.Marshal(map[string]any{
		"procedure":  "1.001193",
		"applicant":  map[string]any{"name": name, "id_number": id, "phone": "0912345678"},
		"components": []map[string]any{{"id": "to-khai"}, {"id": "giay-chung-sinh", "files": 1}, {"id": "giay-to-tuy-than", "source": "population_db"}},
		"form": map[string]any{"child_name": "Nguyễn Minh " + given[r.IntN(len(given))], "child_birth_date": "2026-11-20", "child_sex": "male",
			"birth_place": "Trạm y tế xã Hoa Lộc", "mother_name": name, "applicant_name": name, "applicant_id": id, "relation": "mother",
			"address": "Thôn Đông Hòa", "phone": "0912345678"},
	})
	return b
}

func intake(client *http.Client, base, token string, r *rand.Rand) (int, error) {
	req, _ := http.NewRequestWithContext(context.Background(), "POST", base+"/api/v1/dossiers", bytes.NewReader(body(r)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func intakeOne(client *http.Client, base, token string, r *rand.Rand) (string, string, error) {
	req, _ := http.NewRequest("POST", base+"/api/v1/dossiers", bytes.NewReader(body(r)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var v struct {
		Code      string `json:"code"`
		LookupKey string `json:"lookup_key"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 201 {
		return "", "", fmt.Errorf("intake: %d %v", resp.StatusCode, err)
	}
	return v.Code, v.LookupKey, nil
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:18555"
	}
	defer l.Close()
	return l.Addr().String()
}

// queueTokens creates a kiosk token and a token for each of counters 1–6.
func queueTokens(bin string, dbArgs []string) (string, []string, error) {
	mk := func(args ...string) (string, error) {
		out, err := exec.Command(bin, append(append([]string{"token", "create"}, args...), dbArgs...)...).Output()
		if err != nil {
			return "", fmt.Errorf("token %v: %v", args, err)
		}
		return strings.TrimSpace(string(out)), nil
	}
	kiosk, err := mk("--role", "kiosk")
	if err != nil {
		return "", nil, err
	}
	var counters []string
	for c := 1; c <= 6; c++ {
		t, err := mk("--role", "counter", "--counter", fmt.Sprint(c))
		if err != nil {
			return "", nil, err
		}
		counters = append(counters, t)
	}
	return kiosk, counters, nil
}

func post(client *http.Client, url, token string, body []byte) (int, error) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// openLoop starts operations at a fixed rate, each on its own, and times
// each from when it was due — so a slow answer delays no one else's start
// and is not hidden (no coordinated omission).
func openLoop(scenario, engine string, do func(*rand.Rand) (int, error), rate float64, duration, warmup time.Duration) error {
	interval := time.Duration(float64(time.Second) / rate)
	var mu sync.Mutex
	var lat []time.Duration
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+duration)
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if !due.Before(end) {
			break
		}
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			st, err := do(r)
			d := time.Since(due)
			if due.Before(measureFrom) {
				return
			}
			if err != nil || st >= 300 {
				bad.Add(1)
				return
			}
			ok.Add(1)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}(i, due)
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("scenario=%s engine=%s rate=%.0f/s (open loop) duration=%s ok=%d errors=%d p50=%s p95=%s p99=%s max=%s\n",
		scenario, engine, rate, duration, ok.Load(), bad.Load(),
		pct(0.50).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	return nil
}

// boardsScenario connects n display boards to the event stream, then makes
// calls one after another and times, for every board, the arrival of each
// call from the moment call-next was sent.
func boardsScenario(base, kiosk, counter1 string, n, calls int, engine string) error {
	tr := &http.Transport{MaxIdleConnsPerHost: n + 10, MaxConnsPerHost: 0}
	sse := &http.Client{Transport: tr}
	type arrival struct {
		label string
		at    time.Time
	}
	arrivals := make(chan arrival, n*calls+n)
	var connected sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < n; i++ {
		connected.Add(1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/queue/events", nil)
			resp, err := sse.Do(req)
			if err != nil {
				fmt.Fprintln(os.Stderr, "loadgen: board:", err)
				connected.Done()
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			first := true
			for sc.Scan() {
				line := sc.Text()
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				if first {
					first = false
					connected.Done()
					continue
				}
				var f struct {
					Event struct{ Kind, Label string }
				}
				if json.Unmarshal([]byte(line[6:]), &f) == nil && f.Event.Kind == "called" {
					arrivals <- arrival{f.Event.Label, time.Now()}
				}
			}
		}()
	}
	connected.Wait()
	fmt.Fprintf(os.Stderr, "loadgen: %d boards connected\n", n)
	client := &http.Client{Timeout: 30 * time.Second}
	sent := map[string]time.Time{}
	var sentMu sync.Mutex
	for k := 0; k < calls; k++ {
		req, _ := http.NewRequest("POST", base+"/api/v1/queue/tickets", strings.NewReader(`{"group":"ho_tich"}`))
		req.Header.Set("Authorization", "Bearer "+kiosk)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		// The call may take a ticket the demo left waiting, not the one
		// just issued: time the ticket the call names, from the call.
		req, _ = http.NewRequest("POST", base+"/api/v1/queue/counters/1/call-next", nil)
		req.Header.Set("Authorization", "Bearer "+counter1)
		t0 := time.Now()
		resp, err = client.Do(req)
		if err != nil {
			return fmt.Errorf("call-next: %w", err)
		}
		var t struct{ Number string }
		json.NewDecoder(resp.Body).Decode(&t)
		resp.Body.Close()
		if resp.StatusCode != 200 || t.Number == "" {
			return fmt.Errorf("call-next: %d", resp.StatusCode)
		}
		sentMu.Lock()
		sent[t.Number] = t0
		sentMu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	deadline := time.After(10 * time.Second)
	var lat []time.Duration
	for len(lat) < n*calls {
		select {
		case a := <-arrivals:
			sentMu.Lock()
			t0, ok := sent[a.label]
			sentMu.Unlock()
			if ok {
				lat = append(lat, a.at.Sub(t0))
			}
		case <-deadline:
			fmt.Fprintf(os.Stderr, "loadgen: only %d of %d deliveries arrived\n", len(lat), n*calls)
			goto done
		}
	}
done:
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("scenario=boards engine=%s boards=%d calls=%d deliveries=%d p50=%s p95=%s p99=%s max=%s\n", engine, n, calls, len(lat),
		pct(0.50).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	return nil
}
