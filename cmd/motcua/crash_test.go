package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

// A kill -9 of the server during intake loses no dossier whose 201 was
// sent, and leaves no half-written dossier — on both engines.
func TestKillDuringIntake(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) { killDuringIntake(t, eng) })
	}
}

func killDuringIntake(t *testing.T, eng store.Engine) {
	ctx := context.Background()
	cfg := storetest.Config(t, eng)
	dbArgs := []string{"--data-dir", cfg.DataDir}
	if cfg.URL != "" {
		dbArgs = []string{"--database-url", cfg.URL}
	}
	// The commune and a counter officer's token, written before the server runs.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	acfg := app.DefaultConfig()
	acfg.DataDir, acfg.DatabaseURL = cfg.DataDir, cfg.URL
	a, err := app.Open(ctx, acfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedCommune(ctx, a.DB, time.Now()); err != nil {
		t.Fatal(err)
	}
	token, err := a.Tokens.Create(ctx, identity.TokenSpec{User: "motcua.lan"})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	start := func() (*exec.Cmd, string) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		cmd := exec.Command(buildBinary(t), append([]string{"serve", "--addr", addr, "--log-level", "error"}, dbArgs...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 300; i++ {
			if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return cmd, "http://" + addr
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Kill()
		t.Fatal("motcua did not become ready")
		return nil, ""
	}
	cmd, base := start()

	var mu sync.Mutex
	acked := map[string]bool{}
	var stop atomic.Bool
	var wg sync.WaitGroup
	body := birthBody()
	client := &http.Client{Timeout: 5 * time.Second}
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				req, _ := http.NewRequest("POST", base+"/api/v1/dossiers", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				var v struct {
					Code string `json:"code"`
				}
				json.NewDecoder(resp.Body).Decode(&v)
				resp.Body.Close()
				if resp.StatusCode == 201 && v.Code != "" {
					mu.Lock()
					acked[v.Code] = true
					mu.Unlock()
				}
			}
		}()
	}
	// Kill in the middle of the intake.
	for {
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	cmd.Wait()
	stop.Store(true)
	wg.Wait()
	mu.Lock()
	n := len(acked)
	mu.Unlock()

	// After the crash motcua starts again on the same database.
	cmd2, _ := start()
	defer func() { cmd2.Process.Kill(); cmd2.Wait() }()

	db, err := store.Open(ctx, store.Config{DataDir: cfg.DataDir, URL: cfg.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	codes := map[string]bool{}
	rows, err := db.Read().QueryContext(ctx, "SELECT code FROM dossiers")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		codes[c] = true
	}
	rows.Close()
	for c := range acked {
		if !codes[c] {
			t.Errorf("dossier %s was acknowledged (201) but is lost", c)
		}
	}
	// Nothing half-written: every dossier has its components, its history
	// and its audit entry.
	var half int
	db.Read().QueryRow(`SELECT COUNT(*) FROM dossiers d WHERE
		(SELECT COUNT(*) FROM dossier_components c WHERE c.dossier_id = d.id) <> 6 OR
		NOT EXISTS (SELECT 1 FROM dossier_history h WHERE h.dossier_id = d.id) OR
		NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_id = d.code AND a.action = 'dossier.receive')`).Scan(&half)
	if half != 0 {
		t.Errorf("%d half-written dossiers", half)
	}
	// The codes are gap-free and the sequence agrees.
	var list []string
	for c := range codes {
		list = append(list, c)
	}
	sort.Strings(list)
	for i, c := range list {
		if !strings.HasSuffix(c, fmt.Sprintf("-%04d", i+1)) {
			t.Fatalf("code %d is %s: the sequence has a gap", i+1, c)
		}
	}
	var last int
	db.Read().QueryRow("SELECT COALESCE(MAX(last), 0) FROM dossier_sequences").Scan(&last)
	if last != len(list) {
		t.Errorf("sequence at %d, %d dossiers", last, len(list))
	}
	if rep, err := audit.Verify(ctx, db); err != nil || rep.Problem != nil {
		t.Errorf("audit chain after the crash: %+v %v", rep.Problem, err)
	}
	t.Logf("%s: %d acknowledged before kill -9, %d in the database, none lost, none half-written", eng, n, len(codes))
	if len(codes) < n {
		t.Fatal("lost dossiers")
	}
}

func birthBody() []byte {
	b, _ := json.Marshal(map[string]any{
		"procedure":  "1.001193",
		"applicant":  map[string]any{"name": "Nguyễn Thị Hoa", "id_number": "038190012345", "phone": "0912345678"},
		"components": []map[string]any{{"id": "to-khai"}, {"id": "giay-chung-sinh", "files": 1}, {"id": "giay-to-tuy-than", "source": "population_db"}},
		"form": map[string]any{"child_name": "Nguyễn Minh An", "child_birth_date": "2026-11-20", "child_sex": "male", "birth_place": "Trạm y tế xã",
			"mother_name": "Nguyễn Thị Hoa", "applicant_name": "Nguyễn Thị Hoa", "applicant_id": "038190012345", "relation": "mother",
			"address": "Thôn Đông Hòa", "phone": "0912345678"},
	})
	return b
}
