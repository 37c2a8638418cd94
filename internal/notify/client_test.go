package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

const (
	apiKey    = "api-key-xa-hoa-loc"
	secretKey = "bí-mật-của-xã"
	brandname = "UBND HOALOC"
	path      = "/SendMultipleMessage_V4_post_json/"
)

func newSandbox() *notify.Sandbox {
	return &notify.Sandbox{APIKey: apiKey, SecretKey: secretKey, Brandname: brandname, Log: quiet}
}

// overHTTP serves the sandbox on a port and returns a client to it.
func overHTTP(t *testing.T, sb *notify.Sandbox) *notify.HTTPClient {
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return notify.NewHTTPClient(srv.URL+"/", apiKey, secretKey, brandname).MarkSandbox()
}

// inProcess reaches the sandbox as the application does.
func inProcess(sb *notify.Sandbox) *notify.HTTPClient {
	c := notify.NewHTTPClient("http://sandbox/sandbox/sms", apiKey, secretKey, brandname).MarkSandbox()
	c.HTTP = notify.InProcess(sb)
	return c
}

func sms(id, to, body string) notify.Message {
	return notify.Message{ID: id, Channel: "sms", To: to, Body: body, Kind: notify.KindQueueNear, Key: "k:" + id, Agency: "H56.16072"}
}

// sendErr checks err is a SendError of the class and code.
func sendErr(t *testing.T, what string, err error, class notify.ErrorClass, code string) *notify.SendError {
	t.Helper()
	var se *notify.SendError
	if !errors.As(err, &se) {
		t.Fatalf("%s: want a SendError %s, got %T %v", what, code, err, err)
	}
	if se.Class != class || se.Code != code || !vietnamese(se.Message) {
		t.Fatalf("%s: got class %d code %q message %q, want class %d code %q", what, se.Class, se.Code, se.Message, class, code)
	}
	return se
}

// The client sends what the protocol specifies.
func TestClientSpeaksTheProtocol(t *testing.T) {
	type seen struct {
		method, path, ctype string
		body                map[string]string
	}
	var reqs []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]string
		json.Unmarshal(b, &body)
		reqs = append(reqs, seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), body})
		io.WriteString(w, `{"CodeResult":"100","CountRegenerate":0,"SMSID":"d533459ee42b2b9525ba9eabf6a8156"}`)
	}))
	defer srv.Close()
	c := notify.NewHTTPClient(srv.URL+"/", apiKey, secretKey, brandname)
	if c.HTTP == nil || c.HTTP.Timeout <= 0 || c.HTTP.Timeout > 30*time.Second {
		t.Fatalf("the default HTTP client must bound a send: %v", c.HTTP.Timeout)
	}
	if c.Sandbox() || !c.MarkSandbox().Sandbox() {
		t.Fatal("sandbox label")
	}
	if d := notify.NewHTTPClient("", "k", "s", "b"); d.BaseURL != notify.DefaultSMSURL || !strings.HasPrefix(d.BaseURL, "https://") {
		t.Fatalf("default gateway %q", d.BaseURL)
	}
	id, err := c.Send(context.Background(), sms("0123456789abcdef0123456789abcdef", "0912345678", "Số A023: còn 3 người nữa đến lượt bạn."))
	if err != nil || id != "d533459ee42b2b9525ba9eabf6a8156" {
		t.Fatalf("send: %q %v", id, err)
	}
	if _, err := c.Send(context.Background(), sms("r2", "0351234567", "So A023: con 3 nguoi nua den luot ban.")); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	want := map[string]string{"ApiKey": apiKey, "SecretKey": secretKey, "Brandname": brandname, "SmsType": "2", "Phone": "0912345678",
		"Content": "Số A023: còn 3 người nữa đến lượt bạn.", "IsUnicode": "1", "RequestId": "0123456789abcdef0123456789abcdef"}
	r := reqs[0]
	if r.method != http.MethodPost || r.path != path || !strings.HasPrefix(r.ctype, "application/json") {
		t.Errorf("request %s %s %s", r.method, r.path, r.ctype)
	}
	for k, v := range want {
		if r.body[k] != v {
			t.Errorf("%s = %q, want %q", k, r.body[k], v)
		}
	}
	if reqs[1].body["IsUnicode"] != "0" {
		t.Errorf("text without diacritics sent as Unicode: %v", reqs[1].body)
	}
}

func TestClientAgainstTheSandbox(t *testing.T) {
	for name, mk := range map[string]func(*notify.Sandbox) *notify.HTTPClient{
		"over HTTP":  func(sb *notify.Sandbox) *notify.HTTPClient { return overHTTP(t, sb) },
		"in process": inProcess,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			sb := newSandbox()
			c := mk(sb)
			body := "UBND xã Hoa Lộc: hồ sơ H56.16072-260601-0001 đã có kết quả."
			id, err := c.Send(ctx, sms("m1", "0912345678", body))
			if err != nil || len(id) != 32 {
				t.Fatalf("send: %q %v", id, err)
			}
			sent := sb.Sent()
			if len(sent) != 1 || sent[0].Phone != "0912345678" || sent[0].Content != body || !sent[0].Unicode || sent[0].SMSID != id ||
				sent[0].RequestID != "m1" || sent[0].Brandname != brandname {
				t.Fatalf("sandbox kept %+v", sent)
			}
			// The same request again (its answer was lost): accepted, not sent twice.
			again, err := c.Send(ctx, sms("m1", "0912345678", body))
			if err != nil || again == "" || len(sb.Sent()) != 1 {
				t.Fatalf("repeated request: %q %v, %d kept", again, err, len(sb.Sent()))
			}

			// Authentication.
			bad := *c
			bad.SecretKey = "sai"
			_, err = bad.Send(ctx, sms("m2", "0912345678", body))
			sendErr(t, "wrong secret", err, notify.Account, "101")
			bad = *c
			bad.APIKey = ""
			_, err = bad.Send(ctx, sms("m3", "0912345678", body))
			sendErr(t, "no key", err, notify.Account, "101")
			bad = *c
			bad.Brandname = "KHAC"
			_, err = bad.Send(ctx, sms("m4", "0912345678", body))
			sendErr(t, "unregistered brandname", err, notify.Account, "104")

			// A number no network serves.
			_, err = c.Send(ctx, sms("m5", "0501234567", body))
			sendErr(t, "unallocated prefix", err, notify.Permanent, "108")

			// The balance runs out.
			sb.Quota = 2
			if _, err := c.Send(ctx, sms("m6", "0351234567", body)); err != nil {
				t.Fatal(err)
			}
			_, err = c.Send(ctx, sms("m7", "0351234567", body))
			sendErr(t, "quota", err, notify.Account, "103")
			sb.Quota = 0

			// Busy: one request in three.
			sb.FailEvery = 3
			var busy, ok int
			for i := 0; i < 9; i++ {
				_, err := c.Send(ctx, sms("b"+string(rune('a'+i)), "0981234567", "Tin thử"))
				if err == nil {
					ok++
					continue
				}
				se := sendErr(t, "busy", err, notify.Temporary, "http_503")
				if se.RetryAfter != time.Second {
					t.Errorf("Retry-After %v", se.RetryAfter)
				}
				busy++
			}
			if busy != 3 || ok != 6 {
				t.Errorf("FailEvery 3: %d busy, %d accepted", busy, ok)
			}
			if n := len(sb.Sent()); n != 2+6 {
				t.Errorf("sandbox kept %d", n)
			}
		})
	}
}

func TestSandboxProtocolErrors(t *testing.T) {
	sb := newSandbox()
	serve := func(method, p, body string) (int, map[string]any) {
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, httptest.NewRequest(method, p, strings.NewReader(body)))
		var out map[string]any
		json.Unmarshal(w.Body.Bytes(), &out)
		return w.Code, out
	}
	if st, _ := serve("GET", path, ""); st != 404 {
		t.Errorf("GET: %d", st)
	}
	if st, _ := serve("POST", "/other", "{}"); st != 404 {
		t.Errorf("other path: %d", st)
	}
	if st, _ := serve("POST", path, "{not json"); st != 400 {
		t.Errorf("not JSON: %d", st)
	}
	if st, _ := serve("POST", path, strings.Repeat("x", 20<<10)); st != 400 {
		t.Errorf("20 KiB: %d", st)
	}
	ok := `{"ApiKey":"` + apiKey + `","SecretKey":"` + secretKey + `","Brandname":"` + brandname + `","SmsType":"2","Phone":"0912345678","Content":"x","RequestId":"r1"}`
	st, out := serve("POST", path, strings.Replace(ok, `"SmsType":"2"`, `"SmsType":"1"`, 1))
	if st != 200 || out["CodeResult"] != "118" {
		t.Errorf("advertising type: %d %v", st, out)
	}
	st, out = serve("POST", path, strings.Replace(ok, `"Content":"x"`, `"Content":" "`, 1))
	if st != 400 {
		t.Errorf("empty content: %d %v", st, out)
	}
	st, out = serve("POST", path, ok)
	if st != 200 || out["CodeResult"] != "100" || out["IsSandbox"] != "1" || out["SMSID"] == "" {
		t.Errorf("accepted: %d %v", st, out)
	}
	st, out = serve("POST", path, ok)
	if out["CodeResult"] != "124" {
		t.Errorf("duplicate request id: %d %v", st, out)
	}
	if sb.Requests() != 5 {
		t.Errorf("%d requests counted", sb.Requests())
	}
}

// Every accepted message is logged as SANDBOX SMS; the number is masked and
// the text only logged when asked (the demo).
func TestSandboxLogs(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	sb := newSandbox()
	sb.Log = slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	c := inProcess(sb)
	if _, err := c.Send(context.Background(), sms("m1", "0912345678", "Đến lượt bạn tại quầy 2")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	line := buf.String()
	buf.Reset()
	mu.Unlock()
	if !strings.Contains(line, "SANDBOX SMS") || !strings.Contains(line, "0912***678") || strings.Contains(line, "0912345678") || strings.Contains(line, "quầy") {
		t.Fatalf("log %q", line)
	}
	sb.LogBody = true
	c.Send(context.Background(), sms("m2", "0912345678", "Đến lượt bạn tại quầy 2"))
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "quầy 2") {
		t.Fatalf("log with body %q", buf.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func TestClientTimeoutAndCancellation(t *testing.T) {
	sb := newSandbox()
	sb.Latency = 10 * time.Second // answers take 5–15 s
	// The HTTP client's own timeout.
	c := overHTTP(t, sb)
	c.HTTP.Timeout = 50 * time.Millisecond
	begin := time.Now()
	_, err := c.Send(context.Background(), sms("t1", "0912345678", "Tin thử"))
	sendErr(t, "timeout", err, notify.Temporary, "network")
	if d := time.Since(begin); d > 2*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	// A context deadline (the outbox bounds each send), in process too.
	for name, c := range map[string]*notify.HTTPClient{"over HTTP": overHTTP(t, sb), "in process": inProcess(sb)} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		begin = time.Now()
		_, err = c.Send(ctx, sms("t2", "0912345678", "Tin thử"))
		cancel()
		sendErr(t, name+" deadline", err, notify.Temporary, "network")
		if d := time.Since(begin); d > 2*time.Second {
			t.Fatalf("%s: deadline took %v", name, d)
		}
	}
	// Cancelled (shutting down): a cancellation, not a gateway failure.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	_, err = inProcess(sb).Send(ctx, sms("t3", "0912345678", "Tin thử"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if len(sb.Sent()) != 0 {
		t.Fatal("the sandbox accepted a message whose request was abandoned")
	}
}

func TestClientClassifiesAnswers(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		retryAfter string
		body       string
		class      notify.ErrorClass
		code       string
	}{
		{"blocked number", 200, "", `{"CodeResult":"99","ErrorMessage":"Phone blocked"}`, notify.Permanent, "99"},
		{"bad number", 200, "", `{"CodeResult":"108"}`, notify.Permanent, "108"},
		{"template", 200, "", `{"CodeResult":"146"}`, notify.Permanent, "146"},
		{"network not registered", 200, "", `{"CodeResult":"177"}`, notify.Permanent, "177"},
		{"auth", 200, "", `{"CodeResult":"101"}`, notify.Account, "101"},
		{"price list", 200, "", `{"CodeResult":"102"}`, notify.Account, "102"},
		{"balance", 200, "", `{"CodeResult":"103"}`, notify.Account, "103"},
		{"brandname", 200, "", `{"CodeResult":"104"}`, notify.Account, "104"},
		{"IP", 200, "", `{"CodeResult":"140"}`, notify.Account, "140"},
		{"unknown code", 200, "", `{"CodeResult":"789","ErrorMessage":"?"}`, notify.Temporary, "789"},
		{"HTML", 200, "", `<html>Bảo trì</html>`, notify.Temporary, "bad_answer"},
		{"empty", 200, "", ``, notify.Temporary, "bad_answer"},
		{"no code", 200, "", `{"SMSID":"x"}`, notify.Temporary, "bad_answer"},
		{"busy", 503, "7", `{}`, notify.Temporary, "http_503"},
		{"rate limited", 429, "", `{}`, notify.Temporary, "http_429"},
		{"server error", 500, "", `{"CodeResult":"100","SMSID":"x"}`, notify.Temporary, "http_500"},
		{"unauthorised", 401, "", `{}`, notify.Account, "http_401"},
		{"forbidden", 403, "", `{}`, notify.Account, "http_403"},
		{"wrong address", 404, "", `{}`, notify.Account, "http_404"},
		{"bad request", 400, "", `{}`, notify.Permanent, "http_400"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			id, err := notify.NewHTTPClient(srv.URL, apiKey, secretKey, brandname).Send(context.Background(), sms("r", "0912345678", "x"))
			if id != "" {
				t.Fatalf("id %q", id)
			}
			se := sendErr(t, tc.name, err, tc.class, tc.code)
			if tc.retryAfter == "7" && se.RetryAfter != 7*time.Second {
				t.Errorf("Retry-After %v", se.RetryAfter)
			}
			if strings.Contains(err.Error(), secretKey) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
	// An unreachable gateway.
	_, err := notify.NewHTTPClient("http://127.0.0.1:1", apiKey, secretKey, brandname).Send(context.Background(), sms("r", "0912345678", "x"))
	sendErr(t, "unreachable", err, notify.Temporary, "network")
}

// The sandbox reached in process, at the path the application serves it.
func TestInProcess(t *testing.T) {
	var got string
	hc := notify.InProcess(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "đã nhận")
	}))
	if hc.Timeout <= 0 {
		t.Error("no timeout")
	}
	resp, err := hc.Post("http://sandbox"+notify.SandboxPrefix+path, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got != path || resp.StatusCode != http.StatusAccepted || string(b) != "đã nhận" {
		t.Fatalf("path %q, %d %q", got, resp.StatusCode, b)
	}
	c, sb := notify.NewSandboxClient(quiet)
	if !c.Sandbox() || sb.Latency <= 0 {
		t.Fatal("NewSandboxClient")
	}
	sb.Latency, sb.FailEvery = 0, 0
	if _, err := c.Send(context.Background(), sms("n1", "0912345678", "Tin thử")); err != nil || len(sb.Sent()) != 1 {
		t.Fatalf("demo sandbox: %v", err)
	}
}

// lostAnswer is the real client whose first answer never arrives (the
// gateway accepted the message, then the network or the process failed).
type lostAnswer struct {
	*notify.HTTPClient
	mu    sync.Mutex
	calls int
}

func (l *lostAnswer) Send(ctx context.Context, m notify.Message) (string, error) {
	id, err := l.HTTPClient.Send(ctx, m)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls == 1 && err == nil {
		return "", &notify.SendError{Class: notify.Temporary, Code: "network", Message: "Cổng SMS không trả lời."}
	}
	return id, err
}

// The outbox through the protocol to the sandbox: a busy gateway delays
// messages but loses none, and a lost answer does not send one twice.
func TestOutboxThroughTheSandbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{t: start}
		sb := newSandbox()
		sb.FailEvery = 2
		client := &lostAnswer{HTTPClient: inProcess(sb)}
		o := notify.New(notify.Config{DB: db, Sender: client, Log: quiet, Now: c.Now})
		if !o.Sandbox() {
			t.Fatal("the outbox hides the sandbox")
		}
		numbers := []string{"0912345678", "0351234567", "0771234567", "0861234567", "0501234567"}
		for i, n := range numbers {
			m := msg(n, string(rune('A'+i)))
			m.Body = "UBND xã Hoa Lộc: số A02" + string(rune('0'+i)) + " còn 3 người nữa đến lượt."
			enqueue(t, db, o, m)
		}
		for i := 0; i < 10; i++ {
			deliver(t, o)
			c.Add(time.Hour)
		}
		admin := &identity.Principal{ID: "u-admin", Roles: []string{identity.RoleAdministrator}, Agency: "H56.16072"}
		list, err := o.List(ctx, admin, "H56.16072", 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			if r.To == "0501234567" {
				if r.State != notify.StateFailed || !strings.HasPrefix(r.LastError, "108: ") {
					t.Errorf("unserved number: %+v", r)
				}
				continue
			}
			if r.State != notify.StateSent || !r.Sandbox || r.ProviderID == "" {
				t.Errorf("%s: %+v", r.Key, r)
			}
		}
		sent := sb.Sent()
		if len(sent) != 4 {
			t.Fatalf("the sandbox received %d messages, want 4 (each once)", len(sent))
		}
		seen := map[string]bool{}
		for _, s := range sent {
			if seen[s.Phone] {
				t.Errorf("%s received twice", s.Phone)
			}
			seen[s.Phone] = true
		}
		// The lost answer was recorded as sent by the duplicate answer.
		if r := get(t, db, "k:A"); r.state != notify.StateSent || r.attempts < 2 || !strings.HasPrefix(r.providerID, "duplicate:") {
			t.Errorf("lost answer: %+v", r)
		}
	})
}
