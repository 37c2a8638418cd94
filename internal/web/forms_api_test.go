package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/store"
)

func get(t *testing.T, env *apptest.Env, path, token string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", env.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes(), resp.Header
}

func TestFormsAndRegister(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		tok := staffTokens(t, env)
		_, b, _ := post(t, env, "/api/v1/dossiers", tok["motcua.lan"], birthJSON, nil)
		c := apptest.JSON[created](t, b)
		st, pdf, h := get(t, env, "/api/v1/dossiers/"+c.Code+"/forms/receipt.pdf", tok["motcua.lan"])
		if st != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("receipt pdf: %d %s", st, h.Get("Content-Type"))
		}
		doc, err := env.App.Dossiers.Keys().OpenFile(pdf)
		if err != nil {
			t.Fatalf("the receipt must carry a valid seal: %v", err)
		}
		if token, err := forms.SealFromPDF(doc); err != nil || token == "" {
			t.Errorf("seal in metadata: %v", err)
		}
		st, html, _ := get(t, env, "/api/v1/dossiers/"+c.Code+"/forms/01.html", tok["motcua.lan"])
		if st != 200 || !strings.Contains(string(html), "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") || !strings.Contains(string(html), c.Code) {
			t.Errorf("receipt html: %d", st)
		}
		if st, _, _ := get(t, env, "/api/v1/dossiers/"+c.Code+"/forms/control_slip.pdf", tok["chutich.binh"]); st != 200 {
			t.Errorf("control slip: %d", st)
		}
		st, b, _ = get(t, env, "/api/v1/dossiers/"+c.Code+"/forms/apology.pdf", tok["motcua.lan"])
		if e := apptest.JSON[apiError](t, b); st != 409 || e.Error.Code != "form_not_available" {
			t.Errorf("apology of an on-time dossier: %d %s", st, b)
		}
		if st, _, _ := get(t, env, "/api/v1/dossiers/"+c.Code+"/forms/99.pdf", tok["motcua.lan"]); st != 400 {
			t.Errorf("unknown form: %d", st)
		}
		if st, _, _ := get(t, env, "/api/v1/dossiers/"+c.Code+"/forms/receipt.pdf", ""); st != 401 {
			t.Errorf("anonymous form: %d", st)
		}
		// The register of the day, in every format.
		st, b, _ = get(t, env, "/api/v1/register?from=2026-11-27&to=2026-11-27", tok["motcua.lan"])
		if st != 200 || !strings.Contains(string(b), c.Code) {
			t.Errorf("register json: %d %s", st, b)
		}
		st, x, h := get(t, env, "/api/v1/register?from=2026-11-01&to=2026-11-30&format=xlsx", tok["chutich.binh"])
		if st != 200 || !bytes.HasPrefix(x, []byte("PK")) || !strings.Contains(h.Get("Content-Disposition"), ".xlsx") {
			t.Errorf("register xlsx: %d %s", st, h)
		}
		if st, p, _ := get(t, env, "/api/v1/register?from=2026-11-01&to=2026-11-30&format=pdf", tok["motcua.lan"]); st != 200 || !bytes.HasPrefix(p, []byte("%PDF")) {
			t.Errorf("register pdf: %d", st)
		}
		if st, _, _ := get(t, env, "/api/v1/register?from=2026-11-01", tok["motcua.lan"]); st != 400 {
			t.Errorf("register without an end: %d", st)
		}
		// The citizen: status page and receipt with the key, and the check of a document.
		st, page, _ := get(t, env, "/tra-cuu/"+c.Code+"?key="+c.LookupKey, "")
		if st != 200 || !strings.Contains(string(page), "Nguyễn T. H.") || !strings.Contains(string(page), "Đăng ký khai sinh") {
			t.Errorf("status page: %d", st)
		}
		u, _ := url.Parse(c.StatusURL)
		st, page, _ = get(t, env, u.RequestURI(), "")
		if st != 200 || !strings.Contains(string(page), "do Trung tâm phát hành") {
			t.Errorf("status page from the QR: %d", st)
		}
		st, rpdf, _ := get(t, env, "/tra-cuu/"+c.Code+"/giay-tiep-nhan.pdf?key="+c.LookupKey, "")
		if st != 200 || !bytes.HasPrefix(rpdf, []byte("%PDF")) {
			t.Errorf("public receipt: %d", st)
		}
		if st, _, _ := get(t, env, "/tra-cuu/"+c.Code+"/giay-tiep-nhan.pdf?key=WRONG123", ""); st != 404 {
			t.Errorf("public receipt with a wrong key: %d", st)
		}
		if st, page, _ := get(t, env, "/verify?r="+url.QueryEscape(u.Query().Get("r")), ""); st != 200 || !strings.Contains(string(page), "THẬT") {
			t.Errorf("verify by QR: %d", st)
		}
		check := func(file []byte) string {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "giay-tiep-nhan.pdf")
			fw.Write(file)
			mw.Close()
			resp, err := http.Post(env.URL+"/verify", mw.FormDataContentType(), &body)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out bytes.Buffer
			out.ReadFrom(resp.Body)
			return out.String()
		}
		if page := check(rpdf); !strings.Contains(page, "THẬT") {
			t.Error("an untouched receipt must verify")
		}
		altered := bytes.Replace(rpdf, []byte("/Title"), []byte("/Titlf"), 1)
		if page := check(altered); !strings.Contains(page, "KHÔNG HỢP LỆ") || !strings.Contains(page, "bị sửa") {
			t.Error("an altered receipt must not verify")
		}
		if page := check([]byte("%PDF-1.4 forged\n%%EOF")); !strings.Contains(page, "KHÔNG HỢP LỆ") {
			t.Error("a forged file must not verify")
		}
	})
}

func TestRegisterForbiddenToOthers(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	tok := staffTokens(t, env)
	if st, _, _ := get(t, env, "/api/v1/register?from=2026-11-01&to=2026-11-30&agency=H56.99999", tok["motcua.lan"]); st != 403 {
		t.Errorf("another agency's register: %d", st)
	}
}
