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
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/identity"
)

func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String() + errOut.String()
}

func TestCalendarCommands(t *testing.T) {
	code, out := runCLI(t, "calendar", "lunar", "2026-02-17", "--json")
	if code != 0 || strings.TrimSpace(out) != `{"day":1,"month":1,"year":2026,"leap_month":false}` {
		t.Errorf("lunar: %d %s", code, out)
	}
	code, out = runCLI(t, "calendar", "add", "--from", "2026-02-13T10:00:00+07:00", "--working-days", "3", "--json")
	if code != 0 || strings.TrimSpace(out) != `{"due":"2026-02-25T17:00:00+07:00"}` {
		t.Errorf("add: %d %s", code, out)
	}
	code, out = runCLI(t, "calendar", "holidays", "2026", "--json")
	var days []calendar.Day
	if code != 0 || json.Unmarshal([]byte(out), &days) != nil || len(days) < 10 {
		t.Fatalf("holidays: %d %s", code, out)
	}
	kinds := map[calendar.Kind]int{}
	for _, d := range days {
		kinds[d.Kind]++
		if d.Projected || d.Date == "" || d.Name == "" {
			t.Errorf("2026 day %+v", d)
		}
	}
	if kinds[calendar.Holiday] == 0 || kinds[calendar.Compensatory] == 0 || kinds[calendar.SwappedWorkday] != 2 {
		t.Errorf("2026 kinds %v", kinds)
	}
	code, out = runCLI(t, "calendar", "holidays", "2030", "--json")
	if code != 0 || !strings.Contains(out, `"projected":true`) {
		t.Errorf("2030 must be projected: %s", out)
	}
	for _, bad := range [][]string{
		{"calendar", "lunar", "2026-02-30"},
		{"calendar", "holidays", "abc"},
		{"calendar", "add", "--from", "yesterday", "--working-days", "1"},
		{"calendar", "add", "--from", "2026-02-13T10:00:00+07:00"},
		{"calendar", "frobnicate"},
	} {
		if code, out := runCLI(t, bad...); code == 0 {
			t.Errorf("%v: exit 0, want an error; %s", bad, out)
		}
	}
}

func TestCalendarLoadIntoDatabase(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "2027.json")
	os.WriteFile(f, []byte(`{"year":2027,"source":"Thông báo thử","days":[{"date":"2027-02-20","name":"Làm bù","kind":"swapped_workday"}]}`), 0o644)
	data := filepath.Join(dir, "data")
	if code, out := runCLI(t, "calendar", "load", f, "--data-dir", data); code != 0 {
		t.Fatalf("load: %s", out)
	}
	code, out := runCLI(t, "calendar", "add", "--from", "2027-02-19T10:00:00+07:00", "--working-days", "1", "--json", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "2027-02-20T17:00:00+07:00") {
		t.Errorf("the loaded swapped Saturday must count: %s", out)
	}
}

func TestCatalogCommands(t *testing.T) {
	code, out := runCLI(t, "catalog", "validate", "../../data/catalog")
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("validate shipped: %d %s", code, out)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"code":"1.000001","name":"Thủ tục thử","field":"Hộ tịch","versions":[{"version":1,"effective_from":"2025-07-01",
		"agency":"UBND xã","agency_kind":"commune","subjects":["citizen"],"online":"full","channels":["in_person"],
		"time":{"value":3,"unit":"weeks"},"fee":{"kind":"per_page","tiers":[{"from":2,"amount":1000}]},
		"components":[{"id":"a","name":"Tờ khai","form":"original","count":1,"required":true}],
		"result":{"name":"Giấy","kind":"paper"},"legal_basis":["Luật"],"workflow":"same-day"}]}`), 0o644)
	code, out = runCLI(t, "catalog", "validate", bad)
	if code == 0 {
		t.Fatal("a bad file must fail validation")
	}
	for _, want := range []string{bad, "procedure 1.000001", "versions[0].time", "versions[0].fee.tiers[0].from", "versions[0].channels"} {
		if !strings.Contains(out, want) {
			t.Errorf("validation output must name %q:\n%s", want, out)
		}
	}
	data := filepath.Join(dir, "data")
	if code, out := runCLI(t, "catalog", "list", "--data-dir", data); code != 0 || !strings.Contains(out, "1.001193") {
		t.Errorf("list: %d %s", code, out)
	}
	exp := filepath.Join(dir, "export")
	if code, out := runCLI(t, "catalog", "export", exp, "--data-dir", data); code != 0 {
		t.Fatalf("export: %s", out)
	}
	if code, out := runCLI(t, "catalog", "validate", exp); code != 0 {
		t.Fatalf("the export must validate: %s", out)
	}
	if code, out := runCLI(t, "catalog", "import", exp, "--data-dir", data); code != 0 || !strings.Contains(out, "updated") {
		t.Fatalf("re-import: %s", out)
	}
}

func TestTokenAndUnknownCommands(t *testing.T) {
	data := t.TempDir()
	code, out := runCLI(t, "token", "create", "--role", "administrator", "--data-dir", data)
	if code != 0 || !regexp.MustCompile(`^mc_[a-z2-7]{20,}\n$`).MatchString(out) {
		t.Errorf("token create: %d %q", code, out)
	}
	if code, _ := runCLI(t, "token", "create", "--role", "emperor", "--data-dir", data); code == 0 {
		t.Error("an unknown role must fail")
	}
	if code, _ := runCLI(t, "token", "create", "--role", "counter", "--data-dir", data); code == 0 {
		t.Error("a counter token without --counter must fail")
	}
	if code, _ := runCLI(t, "no-such-command"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
	if code, out := runCLI(t, "help"); code != 0 || !strings.Contains(out, "demo") {
		t.Errorf("help: %s", out)
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	t.Setenv("MOTCUA_ADDR", "127.0.0.1:9999")
	t.Setenv("MOTCUA_DATA_DIR", "/tmp/x")
	var f serverFlags
	fs := newFlags("serve", "serve", io.Discard)
	f.register(fs, "motcua-data")
	if err := parseFlags(fs, []string{"--data-dir", "/tmp/given"}); err != nil {
		t.Fatal(err)
	}
	if f.cfg.Addr != "127.0.0.1:9999" {
		t.Errorf("addr from MOTCUA_ADDR = %q", f.cfg.Addr)
	}
	if f.cfg.DataDir != "/tmp/given" {
		t.Errorf("a flag on the command line wins over the environment: %q", f.cfg.DataDir)
	}
	t.Setenv("MOTCUA_CULTURE_DAY", "maybe")
	fs = newFlags("serve", "serve", io.Discard)
	var g serverFlags
	g.register(fs, "d")
	if err := parseFlags(fs, nil); err == nil || !strings.Contains(err.Error(), "MOTCUA_CULTURE_DAY") {
		t.Errorf("a bad environment value must be reported: %v", err)
	}
	quiet := flag.NewFlagSet("x", flag.ContinueOnError)
	quiet.SetOutput(io.Discard)
	if err := parseFlags(quiet, []string{"--nope"}); err != errUsage {
		t.Errorf("unknown flag: %v", err)
	}
}

// buildBinary compiles motcua once per test run.
var buildOnce sync.Once
var binPath string
var buildErr error

func buildBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "motcua-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "motcua")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a running motcua binary.
type process struct {
	cmd   *exec.Cmd
	url   string
	start time.Time
	logs  *bytes.Buffer
	mu    *sync.Mutex
}

// startDemo starts `motcua demo` on a free port and returns once it has
// printed its address.
func startDemo(t testing.TB, dataDir string) *process {
	t.Helper()
	cmd := exec.Command(buildBinary(t), "demo", "--data-dir", dataDir, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "MOTCUA_LOG_LEVEL=info")
	stdout, _ := cmd.StdoutPipe()
	logs := &bytes.Buffer{}
	mu := &sync.Mutex{}
	stderr, _ := cmd.StderrPipe()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		b, _ := io.ReadAll(stderr)
		mu.Lock()
		logs.Write(b)
		mu.Unlock()
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Open "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		return &process{cmd: cmd, url: u, start: start, logs: logs, mu: mu}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("motcua demo did not print its address within 60 s")
	}
	return nil
}

func (p *process) stop(t testing.TB) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("motcua exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		t.Error("motcua did not stop within 20 s of SIGTERM")
	}
}

func (p *process) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

func TestDemoBinaryLifecycle(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "demo")
	p := startDemo(t, dataDir)
	for _, path := range []string{"/healthz", "/readyz", "/procedures/1.001193", "/metrics"} {
		resp, err := http.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	p.stop(t)
	if logs := p.logText(); !strings.Contains(logs, "demo commune seeded") || !strings.Contains(logs, "shutting down") {
		t.Errorf("first start must seed and shut down gracefully; logs:\n%s", logs)
	}
	// A second start reuses the data directory.
	p2 := startDemo(t, dataDir)
	resp, err := http.Get(p2.url + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("second start: %v %v", err, resp)
	}
	resp.Body.Close()
	p2.stop(t)
	if strings.Contains(p2.logText(), "demo commune seeded") {
		t.Error("the second start must not seed again")
	}
}

// BenchmarkDemoStartup measures, on an existing data directory, the time
// from starting `motcua demo` to its first answered request, and the
// process's resident memory once idle.
//
//	go test ./cmd/motcua -run '^$' -bench DemoStartup -benchtime 5x
func BenchmarkDemoStartup(b *testing.B) {
	dataDir := filepath.Join(b.TempDir(), "demo")
	startDemo(b, dataDir).stop(b)
	var totalMs, maxRSS float64
	for i := 0; i < b.N; i++ {
		start := time.Now()
		cmd := exec.Command(buildBinary(b), "demo", "--data-dir", dataDir, "--addr", "127.0.0.1:18099", "--log-level", "warn")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		var first time.Duration
		for {
			resp, err := http.Get("http://127.0.0.1:18099/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					first = time.Since(start)
					break
				}
			}
			if time.Since(start) > 30*time.Second {
				cmd.Process.Kill()
				b.Fatal("no answer within 30 s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		totalMs += float64(first.Microseconds()) / 1000
		time.Sleep(2 * time.Second) // idle
		maxRSS = max(maxRSS, rssMB(cmd.Process.Pid))
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	b.ReportMetric(totalMs/float64(b.N), "ms-to-first-request")
	b.ReportMetric(maxRSS, "idle-RSS-MB")
}

func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func TestAuditVerifyCommand(t *testing.T) {
	data := t.TempDir()
	for i := 0; i < 3; i++ {
		if code, out := runCLI(t, "token", "create", "--role", "administrator", "--data-dir", data); code != 0 {
			t.Fatal(out)
		}
	}
	if code, out := runCLI(t, "calendar", "load", "--data-dir", data, writeSchedule(t)); code != 0 {
		t.Fatal(out)
	}
	code, out := runCLI(t, "audit", "verify", "--data-dir", data)
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("clean: %d %s", code, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "motcua.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE audit_log SET actor_name = 'kẻ gian' WHERE seq = 1"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out = runCLI(t, "audit", "verify", "--data-dir", data)
	if code == 0 || !strings.Contains(out, "audit entry 1") {
		t.Errorf("tampered: %d %s", code, out)
	}
}

func writeSchedule(t *testing.T) string {
	f := filepath.Join(t.TempDir(), "2027.json")
	os.WriteFile(f, []byte(`{"year":2027,"source":"Thông báo thử","days":[{"date":"2027-01-01","name":"Tết Dương lịch","kind":"holiday"}]}`), 0o644)
	return f
}

func TestVerifyCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	cfg := app.DefaultConfig()
	cfg.DataDir = data
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedCommune(ctx, a.DB, time.Now()); err != nil {
		t.Fatal(err)
	}
	lan := &identity.Principal{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}, Agency: "H56.16072"}
	var req dossier.SubmitRequest
	json.Unmarshal(birthBody(), &req)
	res, err := a.Dossiers.Submit(ctx, lan, req, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Dossiers.Print(ctx, lan, res.Dossier.Code, forms.Receipt, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	statusURL := a.Dossiers.StatusURL(res.Dossier)
	a.Close()
	file := filepath.Join(t.TempDir(), "giay-tiep-nhan.pdf")
	os.WriteFile(file, p.Body, 0o644)
	if code, out := runCLI(t, "verify", file, "--data-dir", data); code != 0 || !strings.Contains(out, "GENUINE") || !strings.Contains(out, res.Dossier.Code) {
		t.Errorf("genuine file: %d %s", code, out)
	}
	forged := bytes.Replace(p.Body, []byte("/Creator"), []byte("/Creatos"), 1)
	os.WriteFile(file, forged, 0o644)
	if code, out := runCLI(t, "verify", file, "--data-dir", data); code == 0 || !strings.Contains(out, "NOT GENUINE") {
		t.Errorf("altered file: %d %s", code, out)
	}
	if code, out := runCLI(t, "verify", statusURL, "--data-dir", data); code != 0 || !strings.Contains(out, "GENUINE") {
		t.Errorf("QR address: %d %s", code, out)
	}
	if code, out := runCLI(t, "verify", res.Dossier.Code, "--data-dir", data); code != 0 || !strings.Contains(out, "FOUND") {
		t.Errorf("code: %d %s", code, out)
	}
	if code, _ := runCLI(t, "verify", "H56.16072-200101-9999", "--data-dir", data); code == 0 {
		t.Error("an unknown code must fail")
	}
}
