package registry_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/registry"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
	"github.com/motcua/motcua/internal/vntext"
)

const (
	secret   = "bí-mật-chung-của-tỉnh"
	endpoint = "/v1/cong-dan/tra-cuu"
	unknown  = "038099999999" // 12 digits, not a demo resident
)

var seedNow = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// household is a demo household seeded for the registry tests.
type household struct {
	head, spouse, child demo.Resident
	other               demo.Resident // someone of another village (T02, Tây Hòa)
}

// seedResidents writes the demo commune (agencies, villages) and a handful
// of its synthetic residents: one household with a head, a spouse and a
// child, and one resident of another village.
func seedResidents(t *testing.T, db *store.DB) household {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.SeedCommune(ctx, db, seedNow); err != nil {
		t.Fatal(err)
	}
	all := demo.ResidentsForTest(seedNow)
	members := map[string][]demo.Resident{}
	for _, r := range all {
		members[r.Household] = append(members[r.Household], r)
	}
	var h household
	for _, r := range all {
		if r.Relation != "head" || r.Village != "T01" {
			continue
		}
		var sp, ch *demo.Resident
		for _, m := range members[r.Household] {
			switch m.Relation {
			case "spouse":
				sp = &m
			case "child":
				ch = &m
			}
		}
		if sp != nil && ch != nil {
			h.head, h.spouse, h.child = r, *sp, *ch
			break
		}
	}
	if h.head.IDNumber == "" {
		t.Fatal("no demo household with a head, a spouse and a child")
	}
	for _, r := range all {
		if r.Village == "T02" && r.Relation == "head" {
			h.other = r
			break
		}
	}
	if h.other.IDNumber == "" {
		t.Fatal("no demo resident in village T02")
	}
	err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		for _, p := range append(members[h.head.Household], h.other) {
			doc, _ := json.Marshal(p.Extra)
			if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_residents (id_number, full_name, birth_date, sex, agency_code, village_code, household_id, relation, phone, doc)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				p.IDNumber, p.FullName, p.BirthDate, p.Sex, "H56.16072", p.Village, p.Household, p.Relation, p.Phone, string(doc)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func newSandbox(db *store.DB) *registry.Sandbox {
	return &registry.Sandbox{DB: db, Secret: secret, Log: quiet, Latency: time.Millisecond}
}

// inProcess returns a sandbox client wired as the application wires it.
func inProcess(sb *registry.Sandbox, sec string) *registry.Client {
	c := registry.NewClient("http://sandbox/sandbox/population", "sandbox", sec).MarkSandbox()
	c.HTTP = registry.InProcess(sb)
	return c
}

// signed builds a protocol request by hand.
func signed(key, ts, rid string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Client-Id", "H56.16072")
	r.Header.Set("X-Request-Id", rid)
	r.Header.Set("X-Timestamp", ts)
	r.Header.Set("X-Signature", registry.Sign(key, ts, rid, body))
	return r
}

func body(id string) []byte {
	return []byte(fmt.Sprintf(`{"so_dinh_danh":%q,"ma_thu_tuc":"1.001193","ma_can_bo":"u001"}`, id))
}

func nowTS() string { return strconv.FormatInt(time.Now().Unix(), 10) }

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// isAppErr checks err is the apperr with code (and kind).
func isAppErr(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("want apperr %s, got %T %v", code, err, err)
	}
	if ae.Kind != kind || ae.Code != code {
		t.Fatalf("want %s (kind %d), got %s (kind %d): %v", code, kind, ae.Code, ae.Kind, err)
	}
	if !vietnamese(ae.Message) {
		t.Fatalf("%s: message %q is not plain Vietnamese", code, ae.Message)
	}
}

// vietnamese reports whether s is a non-empty NFC sentence with Vietnamese letters.
func vietnamese(s string) bool {
	return s != "" && vntext.NFC(s) == s && strings.ContainsAny(s, "ăâđêôơưĂÂĐÊÔƠƯáàảãạíìóòõúùýếềểễệốồổỗộớờởỡợứừửữự")
}

func TestSignIsHMACSHA256OfTheProtocol(t *testing.T) {
	b := body("038190012345")
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write([]byte("1700000000\nabcd\n"))
	mac.Write(b)
	want := hex.EncodeToString(mac.Sum(nil))
	if got := registry.Sign("k", "1700000000", "abcd", b); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// Each part of the signed text counts, and so does the secret.
	for name, got := range map[string]string{
		"secret":     registry.Sign("k2", "1700000000", "abcd", b),
		"timestamp":  registry.Sign("k", "1700000001", "abcd", b),
		"request id": registry.Sign("k", "1700000000", "abce", b),
		"body":       registry.Sign("k", "1700000000", "abcd", body("038190012346")),
	} {
		if got == want {
			t.Errorf("changing the %s does not change the signature", name)
		}
	}
}

// The client sends what the protocol specifies, signed.
func TestClientSignsItsRequests(t *testing.T) {
	type seen struct {
		method, path string
		header       http.Header
		body         []byte
	}
	var reqs []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs = append(reqs, seen{r.Method, r.URL.Path, r.Header.Clone(), b})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ket_qua":{"so_dinh_danh":"038190012345","ho_ten":"Nguyễn Văn An","nguon":"CSDLQGDC"}}`)
	}))
	defer srv.Close()
	c := registry.NewClient(srv.URL+"/", "H56.16072", secret) // a trailing slash is harmless
	if c.HTTP == nil || c.HTTP.Timeout <= 0 || c.HTTP.Timeout > 10*time.Second {
		t.Fatalf("the default HTTP client must bound a lookup, timeout %v", c.HTTP.Timeout)
	}
	for i := 0; i < 2; i++ {
		p, err := c.Lookup(context.Background(), " 038190012345 ", registry.Purpose{Procedure: "1.001193", Officer: "u001"})
		if err != nil || p.FullName != "Nguyễn Văn An" || p.Source != "CSDLQGDC" {
			t.Fatalf("lookup: %+v %v", p, err)
		}
	}
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	hexID := regexp.MustCompile(`^[0-9a-f]{16,}$`)
	for _, r := range reqs {
		if r.method != http.MethodPost || r.path != endpoint {
			t.Errorf("request %s %s", r.method, r.path)
		}
		h := r.header
		if !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("X-Client-Id") != "H56.16072" {
			t.Errorf("headers %v", h)
		}
		if !hexID.MatchString(h.Get("X-Request-Id")) {
			t.Errorf("request id %q", h.Get("X-Request-Id"))
		}
		ts, err := strconv.ParseInt(h.Get("X-Timestamp"), 10, 64)
		if err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
			t.Errorf("timestamp %q is not the current Unix time in seconds", h.Get("X-Timestamp"))
		}
		if h.Get("X-Signature") != registry.Sign(secret, h.Get("X-Timestamp"), h.Get("X-Request-Id"), r.body) {
			t.Errorf("signature %q does not cover timestamp, request id and body", h.Get("X-Signature"))
		}
		var sent map[string]string
		if err := json.Unmarshal(r.body, &sent); err != nil {
			t.Fatal(err)
		}
		if sent["so_dinh_danh"] != "038190012345" || sent["ma_thu_tuc"] != "1.001193" || sent["ma_can_bo"] != "u001" || len(sent) != 3 {
			t.Errorf("body %s", r.body)
		}
	}
	if reqs[0].header.Get("X-Request-Id") == reqs[1].header.Get("X-Request-Id") {
		t.Error("two requests share a request id")
	}
}

func TestSandboxVerifiesSignatures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := seedResidents(t, db)
		sb := newSandbox(db)
		good := body(h.head.IDNumber)
		if w := serve(sb, signed(secret, nowTS(), "r1", good)); w.Code != http.StatusOK {
			t.Fatalf("a well-signed request: %d %s", w.Code, w.Body)
		}
		unix := time.Now().Unix()
		refused := map[string]*http.Request{
			"wrong secret": signed("another secret", nowTS(), "r2", good),
			"no signature": func() *http.Request { r := signed(secret, nowTS(), "r3", good); r.Header.Del("X-Signature"); return r }(),
			"altered body": func() *http.Request {
				r := signed(secret, nowTS(), "r4", good)
				r.Body = io.NopCloser(bytes.NewReader(body(h.spouse.IDNumber)))
				return r
			}(),
			"altered timestamp": func() *http.Request {
				r := signed(secret, nowTS(), "r5", good)
				r.Header.Set("X-Timestamp", strconv.FormatInt(unix-1, 10))
				return r
			}(),
			"altered request id": func() *http.Request {
				r := signed(secret, nowTS(), "r6", good)
				r.Header.Set("X-Request-Id", "r7")
				return r
			}(),
			"no request id":     signed(secret, nowTS(), "", good),
			"stale timestamp":   signed(secret, strconv.FormatInt(unix-6*60, 10), "r8", good),
			"future timestamp":  signed(secret, strconv.FormatInt(unix+6*60, 10), "r9", good),
			"no timestamp":      signed(secret, "", "r10", good),
			"garbled timestamp": signed(secret, "hôm nay", "r11", good),
			"milliseconds":      signed(secret, strconv.FormatInt(time.Now().UnixMilli(), 10), "r12", good),
		}
		for name, r := range refused {
			w := serve(sb, r)
			if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "chữ ký không hợp lệ") {
				t.Errorf("%s: %d %s, want 401 chữ ký không hợp lệ", name, w.Code, w.Body)
			}
			if strings.Contains(w.Body.String(), h.head.FullName) {
				t.Errorf("%s: the refusal gives the resident away", name)
			}
		}
		// Within five minutes a request is still fresh.
		if w := serve(sb, signed(secret, strconv.FormatInt(unix-4*60, 10), "r13", good)); w.Code != http.StatusOK {
			t.Errorf("a four-minute-old request: %d %s", w.Code, w.Body)
		}
		// Only POST to the endpoint is served.
		get := httptest.NewRequest(http.MethodGet, endpoint, nil)
		if w := serve(sb, get); w.Code != http.StatusNotFound {
			t.Errorf("GET: %d", w.Code)
		}
		other := signed(secret, nowTS(), "r14", good)
		other.URL.Path = "/v1/cong-dan/xoa"
		if w := serve(sb, other); w.Code != http.StatusNotFound {
			t.Errorf("other path: %d", w.Code)
		}
		// A signed request with a malformed ID, or an oversized body, is refused as bad.
		if w := serve(sb, signed(secret, nowTS(), "r15", body("03819001234"))); w.Code != http.StatusBadRequest {
			t.Errorf("signed malformed id: %d %s", w.Code, w.Body)
		}
		if w := serve(sb, signed(secret, nowTS(), "r16", []byte("{not json"))); w.Code != http.StatusBadRequest {
			t.Errorf("signed non-JSON body: %d %s", w.Code, w.Body)
		}
		big := []byte(fmt.Sprintf(`{"so_dinh_danh":%q,"ma_thu_tuc":%q}`, h.head.IDNumber, strings.Repeat("x", 9<<10)))
		if w := serve(sb, signed(secret, nowTS(), "r17", big)); w.Code != http.StatusBadRequest {
			t.Errorf("9 KiB body: %d", w.Code)
		}

		// Through the client: a wrong secret is an error (never a person), and
		// not mistaken for "not found" or "bad ID".
		p, err := inProcess(sb, "another secret").Lookup(context.Background(), h.head.IDNumber, registry.Purpose{Procedure: "1.001193", Officer: "u001"})
		if err == nil || p != nil {
			t.Fatalf("wrong secret: %+v %v", p, err)
		}
		if errors.Is(err, registry.ErrNotFound) || errors.Is(err, registry.ErrInvalidID) {
			t.Fatalf("wrong secret reported as %v", err)
		}
		if _, ok := err.(*apperr.Error); !ok {
			t.Fatalf("wrong secret: %T %v, want an apperr", err, err)
		}
	})
}

func TestLookupKnownResident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := seedResidents(t, db)
		sb := newSandbox(db)
		net := httptest.NewServer(sb)
		defer net.Close()
		clients := map[string]*registry.Client{
			"in process": inProcess(sb, secret),
			"over HTTP":  registry.NewClient(net.URL, "H56.16072", secret).MarkSandbox(),
		}
		marital := map[string]string{"married": "Đã kết hôn", "single": "Chưa kết hôn", "widowed": "Góa", "divorced": "Đã ly hôn"}
		relation := map[string]string{"head": "Chủ hộ", "spouse": "Vợ/chồng", "child": "Con", "parent": "Cha/mẹ"}
		for name, c := range clients {
			for _, r := range []demo.Resident{h.head, h.spouse, h.child, h.other} {
				p, err := c.Lookup(ctx, "  "+r.IDNumber+"\t", registry.Purpose{Procedure: "1.001193", Officer: "u001"})
				if err != nil {
					t.Fatalf("%s: %s: %v", name, r.IDNumber, err)
				}
				village := map[string]string{"T01": "Đông Hòa", "T02": "Tây Hòa"}[r.Village]
				head := h.head.FullName
				if r.IDNumber == h.other.IDNumber {
					head = h.other.FullName
				}
				want := registry.Person{
					IDNumber: r.IDNumber, FullName: r.FullName, BirthDate: r.BirthDate, Sex: r.Sex,
					Ethnicity: "Kinh", Religion: "Không", Nationality: "Việt Nam", Hometown: "Xã Hoa Lộc, tỉnh Thanh Hóa",
					PermanentAddress: "Thôn " + village + ", xã Hoa Lộc, tỉnh Thanh Hóa",
					CurrentAddress:   "Thôn " + village + ", xã Hoa Lộc, tỉnh Thanh Hóa",
					Phone:            r.Phone, HouseholdID: r.Household, HouseholdHead: head, RelationToHead: relation[r.Relation],
					MaritalStatus: marital[r.Extra.MaritalStatus], EIDLevel: r.Extra.EIDLevel, Source: "SANDBOX",
				}
				if *p != want {
					t.Errorf("%s: got\n%+v\nwant\n%+v", name, *p, want)
				}
				for _, s := range []string{p.FullName, p.HouseholdHead, p.PermanentAddress, p.Hometown, p.MaritalStatus, p.RelationToHead} {
					if vntext.NFC(s) != s {
						t.Errorf("%q is not NFC", s)
					}
				}
				if !strings.ContainsAny(p.PermanentAddress, "ôòó") {
					t.Errorf("address %q lost its diacritics", p.PermanentAddress)
				}
			}
		}
		// The answer is marked sandbox on the wire too.
		w := serve(sb, signed(secret, nowTS(), "r1", body(h.head.IDNumber)))
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil || string(raw["sandbox"]) != "true" {
			t.Errorf("sandbox answer %s", w.Body)
		}
		if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Errorf("content type %q", w.Header().Get("Content-Type"))
		}
	})
}

func TestLookupUnknownResident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedResidents(t, db)
		p, err := inProcess(newSandbox(db), secret).Lookup(context.Background(), unknown, registry.Purpose{Procedure: "1.001193", Officer: "u001"})
		if p != nil || !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("unknown resident: %+v %v", p, err)
		}
		isAppErr(t, err, apperr.NotFound, "resident_not_found")
		if s := apperr.As(err).Status(); s != http.StatusNotFound {
			t.Errorf("status %d", s)
		}
	})
}

// A malformed ID never leaves motcua.
func TestMalformedIDRefusedBeforeAnyRequest(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusTeapot)
	}))
	defer srv.Close()
	c := registry.NewClient(srv.URL, "H56.16072", secret)
	for _, id := range []string{"", "   ", "03819001234", "0381900123456", "03819001234a", "038 190 012 345", "038-190-012-345",
		"０３８１９００１２３４５", "٠٣٨١٩٠٠١٢٣٤٥", "-38190012345", "+38190012345", "038190012345\n1", "Nguyễn Văn An", "038190012345' OR 1=1"} {
		p, err := c.Lookup(context.Background(), id, registry.Purpose{Procedure: "1.001193", Officer: "u001"})
		if p != nil || !errors.Is(err, registry.ErrInvalidID) {
			t.Errorf("%q: %+v %v", id, p, err)
			continue
		}
		var ae *apperr.Error
		errors.As(err, &ae)
		if ae.Kind != apperr.Invalid || ae.Code != "invalid_id_number" || ae.Field != "id_number" || !vietnamese(ae.Message) {
			t.Errorf("%q: %+v", id, ae)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d malformed IDs reached the platform", n)
	}
	// A well-formed one does (and the teapot is an error, not a person).
	if p, err := c.Lookup(context.Background(), "038190012345", registry.Purpose{}); p != nil || err == nil || hits.Load() != 1 {
		t.Fatalf("well-formed: %+v %v, %d hits", p, err, hits.Load())
	}
}

func TestSandboxSimulatedFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := seedResidents(t, db)
		sb := newSandbox(db)
		sb.FailEvery = 1 // every request
		w := serve(sb, signed(secret, nowTS(), "r1", body(h.head.IDNumber)))
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Fatalf("simulated failure: %d %v %s", w.Code, w.Header(), w.Body)
		}
		c := inProcess(sb, secret)
		p, err := c.Lookup(ctx, h.head.IDNumber, registry.Purpose{Procedure: "1.001193", Officer: "u001"})
		if p != nil || !errors.Is(err, registry.ErrUnavailable) {
			t.Fatalf("simulated failure: %+v %v", p, err)
		}
		isAppErr(t, err, apperr.Unavailable, "population_unavailable")
		if s := apperr.As(err).Status(); s != http.StatusServiceUnavailable {
			t.Errorf("status %d", s)
		}
		if !strings.Contains(apperr.As(err).Message, "thử lại") {
			t.Errorf("the message does not say to try again: %s", apperr.As(err).Message)
		}
		// One in two: both outcomes occur, and nothing else.
		sb.FailEvery = 2
		ok, failed := 0, 0
		for i := 0; i < 40; i++ {
			p, err := c.Lookup(ctx, h.head.IDNumber, registry.Purpose{Procedure: "1.001193", Officer: "u001"})
			switch {
			case err == nil && p != nil && p.FullName == h.head.FullName:
				ok++
			case errors.Is(err, registry.ErrUnavailable) && p == nil:
				failed++
			default:
				t.Fatalf("lookup %d: %+v %v", i, p, err)
			}
		}
		if ok == 0 || failed == 0 {
			t.Errorf("FailEvery 2: %d answers, %d failures", ok, failed)
		}
	})
}

// hanging is a platform that never answers until the client gives up.
func hanging(t *testing.T) (*httptest.Server, *atomic.Int32) {
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv, &hits
}

func TestClientTimeoutAndCancellation(t *testing.T) {
	srv, hits := hanging(t)
	purpose := registry.Purpose{Procedure: "1.001193", Officer: "u001"}

	// The HTTP client's timeout.
	c := registry.NewClient(srv.URL, "H56.16072", secret)
	c.HTTP.Timeout = 100 * time.Millisecond
	start := time.Now()
	p, err := c.Lookup(context.Background(), "038190012345", purpose)
	if p != nil || !errors.Is(err, registry.ErrUnavailable) {
		t.Fatalf("timeout: %+v %v", p, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout took %v", d)
	}

	// A context deadline: the platform did not answer in time.
	c = registry.NewClient(srv.URL, "H56.16072", secret)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	p, err = c.Lookup(ctx, "038190012345", purpose)
	if p != nil || !errors.Is(err, registry.ErrUnavailable) {
		t.Fatalf("deadline: %+v %v", p, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("deadline took %v", d)
	}

	// A cancelled request (the officer left the page) ends at once, as a cancellation.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start = time.Now()
	p, err = c.Lookup(ctx, "038190012345", purpose)
	if p != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %+v %v", p, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancellation took %v", d)
	}
	if hits.Load() == 0 {
		t.Fatal("the hanging platform was never asked")
	}
}

func TestClientRefusesBadAnswers(t *testing.T) {
	person := `{"so_dinh_danh":"038190012345","ho_ten":"Nguyễn Văn An"}`
	cases := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"HTML", 200, "<html><body>Bảo trì hệ thống</body></html>", registry.ErrUnavailable},
		{"empty", 200, "", registry.ErrUnavailable},
		{"truncated", 200, `{"ket_qua":{"ho_ten":"Nguy`, registry.ErrUnavailable},
		{"no result", 200, `{"loi":"không rõ"}`, registry.ErrUnavailable},
		{"null result", 200, `{"ket_qua":null}`, registry.ErrUnavailable},
		{"wrong type", 200, `{"ket_qua":"038190012345"}`, registry.ErrUnavailable},
		{"too large", 200, `{"ket_qua":{"so_dinh_danh":"038190012345","ho_ten":"` + strings.Repeat("A", 70<<10) + `"}}`, registry.ErrUnavailable},
		{"bad signature", 401, `{"loi":"chữ ký không hợp lệ"}`, nil},
		{"rate limited", 429, `{"loi":"quá nhiều yêu cầu"}`, registry.ErrUnavailable},
		{"busy", 503, `{"loi":"hệ thống bận"}`, registry.ErrUnavailable},
		{"server error", 500, person, registry.ErrUnavailable},
		{"redirect to nowhere", 302, "", nil},
		{"not found", 404, `{"loi":"không tìm thấy"}`, registry.ErrNotFound},
		{"bad request", 400, `{"loi":"số định danh không hợp lệ"}`, registry.ErrInvalidID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			p, err := registry.NewClient(srv.URL, "H56.16072", secret).Lookup(context.Background(), "038190012345", registry.Purpose{})
			if p != nil || err == nil {
				t.Fatalf("%+v %v", p, err)
			}
			if _, ok := err.(*apperr.Error); !ok {
				t.Fatalf("%T %v, want an apperr", err, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// Within the limit, a normal answer is read.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ket_qua":`+person+`}`)
	}))
	defer srv.Close()
	if p, err := registry.NewClient(srv.URL, "x", secret).Lookup(context.Background(), "038190012345", registry.Purpose{}); err != nil || p.FullName != "Nguyễn Văn An" {
		t.Fatalf("normal answer: %+v %v", p, err)
	}
}

func TestSandboxLabel(t *testing.T) {
	c := registry.NewClient("https://lgsp.thanhhoa.gov.vn", "H56.16072", secret)
	if c.Sandbox() {
		t.Error("a client to the real platform is labelled sandbox")
	}
	if !c.MarkSandbox().Sandbox() {
		t.Error("MarkSandbox does not label the client")
	}
	var pop registry.Population = registry.NewClient("http://sandbox", "sandbox", secret).MarkSandbox()
	if !registry.NewService(nil, pop, nil).Sandbox() {
		t.Error("the service hides the sandbox label")
	}
	if registry.NewService(nil, registry.NewClient("https://x", "y", "z"), nil).Sandbox() {
		t.Error("the service labels the real platform sandbox")
	}
}

// InProcess hands requests straight to the handler, under the application's
// /sandbox/population prefix, and bounds them like the network client.
func TestInProcess(t *testing.T) {
	var path string
	hc := registry.InProcess(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "đã nhận")
	}))
	if hc.Timeout <= 0 {
		t.Error("no timeout")
	}
	resp, err := hc.Post("http://sandbox/sandbox/population/v1/cong-dan/tra-cuu", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if path != endpoint || resp.StatusCode != http.StatusAccepted || string(b) != "đã nhận" {
		t.Fatalf("path %q, %d %q", path, resp.StatusCode, b)
	}
}

func TestPersonAttr(t *testing.T) {
	p := &registry.Person{IDNumber: "038190012345", FullName: "Nguyễn Văn An", BirthDate: "1990-02-03", Sex: "male", Ethnicity: "Kinh",
		Religion: "Không", Nationality: "Việt Nam", Hometown: "Xã Hoa Lộc", PermanentAddress: "Thôn Đông Hòa", CurrentAddress: "Thôn Tây Hòa",
		Phone: "0912345678", HouseholdHead: "Nguyễn Văn Bình", RelationToHead: "Con", MaritalStatus: "Chưa kết hôn"}
	for attr, want := range map[string]string{
		"full_name": p.FullName, "birth_date": p.BirthDate, "sex": p.Sex, "id_number": p.IDNumber, "address": p.PermanentAddress,
		"permanent_address": p.PermanentAddress, "current_address": p.CurrentAddress, "phone": p.Phone, "ethnicity": p.Ethnicity,
		"nationality": p.Nationality, "religion": p.Religion, "hometown": p.Hometown, "marital_status": p.MaritalStatus,
		"household_head": p.HouseholdHead, "relation_to_head": p.RelationToHead, "": "", "password": "", "FullName": "",
	} {
		if got := p.Attr(attr); got != want {
			t.Errorf("Attr(%q) = %q, want %q", attr, got, want)
		}
	}
}
