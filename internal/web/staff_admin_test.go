package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
)

// adminGetPages are the administration pages a GET reaches.
var adminGetPages = []string{
	"/staff/admin", "/staff/admin/users", "/staff/admin/users/new", "/staff/admin/signins", "/staff/admin/signins?username=quantri",
	"/staff/admin/agencies", "/staff/admin/agencies/new", "/staff/admin/agencies/new?kind=department", "/staff/admin/agencies/H56.16072",
	"/staff/admin/counters", "/staff/admin/procedures", "/staff/admin/procedures/1.001193", "/staff/admin/calendar",
	"/staff/admin/calendar?year=2027",
}

// adminPosts are the administration forms.
var adminPosts = []string{
	"/staff/admin/users", "/staff/admin/agencies", "/staff/admin/agencies/H56.16072", "/staff/admin/counters", "/staff/admin/counters/1",
	"/staff/admin/counters/1/remove", "/staff/admin/procedures", "/staff/admin/procedures/1.001193/workflow",
	"/staff/admin/calendar/hours", "/staff/admin/calendar/schedule",
}

func adminUserID(t *testing.T, env *apptest.Env, username string) string {
	t.Helper()
	users, err := env.App.Staff.Users(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("no account %s", username)
	return ""
}

// adminAudited reports whether the audit log has an entry of action about the object.
func adminAudited(t *testing.T, env *apptest.Env, objectType, objectID, action string) bool {
	t.Helper()
	entries, err := audit.ForObject(context.Background(), env.App.DB, objectType, objectID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == action {
			return true
		}
	}
	return false
}

// adminVietnameseError checks a refused form: a 4xx (never a 500) whose page
// says what is wrong in Vietnamese.
func adminVietnameseError(t *testing.T, what string, status int, body string, want int, text string) {
	t.Helper()
	if status != want {
		t.Errorf("%s: status %d, want %d", what, status, want)
	}
	if !strings.Contains(body, text) {
		t.Errorf("%s: the page does not say %q", what, text)
	}
	if !strings.Contains(body, `lang="vi"`) {
		t.Errorf("%s: the page is not in Vietnamese", what)
	}
}

func TestAdminPagesAndRoles(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		admin := signIn(t, env, "quantri")
		for _, lang := range []string{"en", "vi"} {
			for _, p := range adminGetPages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				st, body := admin.get(t, p+sep+"lang="+lang)
				if st != 200 || !strings.Contains(body, `lang="`+lang+`"`) || !strings.Contains(body, "<h1>") {
					t.Errorf("%s in %s: %d", p, lang, st)
				}
				if strings.Contains(body, ">admin.") || strings.Contains(body, `"admin.`) || strings.Contains(body, ">role.") {
					t.Errorf("%s in %s shows a translation key", p, lang)
				}
			}
		}
		if st, body := admin.get(t, "/staff/admin/users?lang=en"); st != 200 || !strings.Contains(body, "Staff accounts") || !strings.Contains(body, "System administrator") {
			t.Errorf("English users page: %d", st)
		}
		admin.get(t, "/staff/admin?lang=vi")
		// Unknown things are a 404 page, not a 500.
		for _, p := range []string{"/staff/admin/users/u-none", "/staff/admin/agencies/NO.SUCH", "/staff/admin/procedures/9.999999", "/staff/admin/nothing-here"} {
			if st, _ := admin.get(t, p); st != 404 {
				t.Errorf("%s: %d, want 404", p, st)
			}
		}
		if st, body := admin.get(t, "/staff/admin/calendar?year=abc"); st != 400 || !strings.Contains(body, "Năm phải là số") {
			t.Errorf("bad year: %d", st)
		}

		// A POST without the session's CSRF token is refused.
		for _, p := range adminPosts {
			if st, _, _ := admin.post(t, p, url.Values{"csrf": {"forged"}, "name": {"X"}}); st != 403 {
				t.Errorf("POST %s with a forged token: %d", p, st)
			}
		}
		// Other staff have no administration, on any page or form.
		for _, who := range []string{"motcua.lan", "chutich.binh"} {
			c := signIn(t, env, who)
			for _, p := range adminGetPages {
				if st, _ := c.get(t, p); st != 403 {
					t.Errorf("%s at %s: %d, want 403", who, p, st)
				}
			}
			for _, p := range adminPosts {
				if st, _, _ := c.post(t, p, url.Values{"name": {"X"}, "number": {"9"}}); st != 403 {
					t.Errorf("%s posting %s: %d, want 403", who, p, st)
				}
			}
			for _, p := range []string{"/staff/admin/users/" + adminUserID(t, env, "motcua.hung") + "/disable", "/staff/admin/users/" + adminUserID(t, env, "motcua.hung") + "/reset"} {
				if st, _, _ := c.post(t, p, url.Values{}); st != 403 {
					t.Errorf("%s posting %s: %d, want 403", who, p, st)
				}
			}
		}
		if u, _ := env.App.Staff.User(context.Background(), adminUserID(t, env, "motcua.hung")); u.Disabled {
			t.Error("a non-administrator disabled an account")
		}
	})
}

var (
	reAdminPassword = regexp.MustCompile(`id="cred-password" class="big">([^<]+)<`)
	reAdminSecret   = regexp.MustCompile(`id="cred-secret" class="big">([^<]+)<`)
)

// adminCredentials reads the password and authenticator key shown once.
func adminCredentials(t *testing.T, body string) (password, secret string) {
	t.Helper()
	p, s := reAdminPassword.FindStringSubmatch(body), reAdminSecret.FindStringSubmatch(body)
	if p == nil || s == nil {
		t.Fatalf("no adminCredentials on the page:\n%s", body)
	}
	if !strings.Contains(body, `src="data:image/png;base64,`) || !strings.Contains(body, "otpauth://totp/") {
		t.Error("the page has no QR code or otpauth address")
	}
	return p[1], strings.ReplaceAll(s[1], " ", "")
}

// adminCanSignIn tries the console's sign-in with a fresh client.
func adminCanSignIn(t *testing.T, env *apptest.Env, username, password, secret string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).PostForm(env.URL+"/staff/login", url.Values{"username": {username}, "password": {password},
		"code": {totpAt(t, secret, env.App.Cfg.Now())}, "next": {"/staff/"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminUsers(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		admin := signIn(t, env, "quantri")
		good := url.Values{"username": {"tuphap.an"}, "full_name": {"Nguyễn Thị  An"}, "roles": {"specialist", "counter_officer"},
			"agency": {"H56.16072"}, "title": {"Công chức Tư pháp – Hộ tịch"}, "phone": {"0912 000 111"}, "department": {"Tư pháp"}, "counter": {"2"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range good {
				f[kk] = vv
			}
			if v == "" {
				f.Del(k)
			} else {
				f.Set(k, v)
			}
			return f
		}
		for _, c := range []struct {
			what   string
			form   url.Values
			status int
			text   string
		}{
			{"no role", with("roles", ""), 400, "Chọn ít nhất một vai trò"},
			{"a bad role", with("roles", "god"), 400, "Vai trò không hợp lệ"},
			{"a username with a space", with("username", "an nguyen"), 400, "Tên đăng nhập dài 3–50 ký tự"},
			{"a taken username", with("username", "motcua.lan"), 400, "Tên đăng nhập đã có người dùng"},
			{"no name", with("full_name", " "), 400, "Vui lòng nhập họ và tên"},
			{"an unknown agency", with("agency", "X.Y"), 400, "Không có cơ quan này"},
			{"no agency", with("agency", ""), 400, "Chọn cơ quan của cán bộ"},
			{"a counter that is not a number", with("counter", "hai"), 400, "Số quầy không hợp lệ"},
			{"a counter the centre does not have", with("counter", "42"), 400, "Trung tâm không có quầy này"},
		} {
			st, body, _ := admin.post(t, "/staff/admin/users", c.form)
			adminVietnameseError(t, c.what, st, body, c.status, c.text)
			if c.status == 400 && !strings.Contains(body, `id="error-summary"`) {
				t.Errorf("%s: no error summary", c.what)
			}
		}
		// Created: the first password and authenticator key are shown once.
		st, body, _ := admin.post(t, "/staff/admin/users", good)
		if st != 200 || !strings.Contains(body, "Chỉ hiện một lần") {
			t.Fatalf("create: %d %s", st, body)
		}
		password, secret := adminCredentials(t, body)
		id := adminUserID(t, env, "tuphap.an")
		u, _ := env.App.Staff.User(ctx, id)
		if u.FullName != "Nguyễn Thị An" || u.Counter != 2 || len(u.Roles) != 2 || !u.HasPassword || !u.HasTOTP {
			t.Errorf("created %+v", u)
		}
		if !adminAudited(t, env, "user", id, "user.create") {
			t.Error("the creation is not audited")
		}
		if st, body := admin.get(t, "/staff/admin/users"); st != 200 || !strings.Contains(body, "Nguyễn Thị An") || strings.Contains(body, password) {
			t.Errorf("list: %d (or it shows the password)", st)
		}
		if st, body := admin.get(t, "/staff/admin/users/"+id); st != 200 || strings.Contains(body, password) || strings.Contains(body, secret) {
			t.Errorf("the account page shows the adminCredentials again (%d)", st)
		}
		if st, body := adminCanSignIn(t, env, "tuphap.an", password, secret); st != 200 || !strings.Contains(body, "Đăng xuất") {
			t.Errorf("the new officer cannot sign in: %d", st)
		}

		// Edit.
		edit := with("full_name", "Nguyễn Thị Bình An")
		edit.Set("roles", "specialist")
		edit.Set("counter", "")
		st, _, loc := admin.post(t, "/staff/admin/users/"+id, edit)
		if st != 200 || loc.Path != "/staff/admin/users" {
			t.Errorf("edit: %d %s", st, loc)
		}
		if u, _ := env.App.Staff.User(ctx, id); u.FullName != "Nguyễn Thị Bình An" || len(u.Roles) != 1 || u.Counter != 0 {
			t.Errorf("edited %+v", u)
		}
		st, body, _ = admin.post(t, "/staff/admin/users/"+id, with("roles", ""))
		adminVietnameseError(t, "edit without roles", st, body, 400, "Chọn ít nhất một vai trò")

		// Disable: the officer cannot sign in; enable again.
		if st, _, _ := admin.post(t, "/staff/admin/users/"+id+"/disable", url.Values{}); st != 200 {
			t.Errorf("disable: %d", st)
		}
		if u, _ := env.App.Staff.User(ctx, id); !u.Disabled {
			t.Error("not disabled")
		}
		if st, body := adminCanSignIn(t, env, "tuphap.an", password, secret); st != 403 || !strings.Contains(body, "vô hiệu hóa") {
			t.Errorf("a disabled account signs in: %d", st)
		}
		if st, body := admin.get(t, "/staff/admin/users"); st != 200 || !strings.Contains(body, "Đã vô hiệu hóa") {
			t.Errorf("the list does not show the disabled account")
		}
		if st, _, _ := admin.post(t, "/staff/admin/users/"+id+"/enable", url.Values{}); st != 200 {
			t.Errorf("enable: %d", st)
		}
		if u, _ := env.App.Staff.User(ctx, id); u.Disabled {
			t.Error("not enabled")
		}
		// One cannot disable oneself.
		st, body, _ = admin.post(t, "/staff/admin/users/"+adminUserID(t, env, "quantri")+"/disable", url.Values{})
		adminVietnameseError(t, "disable oneself", st, body, 409, "Không thể tự bỏ quyền quản trị")

		// Reset: new adminCredentials, shown once; the old ones stop working.
		if st, body := admin.get(t, "/staff/admin/users/"+id+"/reset"); st != 200 || !strings.Contains(body, "Cấp lại mật khẩu") {
			t.Errorf("reset page: %d", st)
		}
		st, body, _ = admin.post(t, "/staff/admin/users/"+id+"/reset", url.Values{})
		if st != 200 {
			t.Fatalf("reset: %d", st)
		}
		password2, secret2 := adminCredentials(t, body)
		if password2 == password || secret2 == secret {
			t.Error("the reset gave the same credentials")
		}
		if st, _ := adminCanSignIn(t, env, "tuphap.an", password, secret); st != 401 {
			t.Errorf("the old password still works: %d", st)
		}
		if !adminAudited(t, env, "user", id, "user.reset_credentials") || !adminAudited(t, env, "user", id, "user.update") {
			t.Error("reset or update not audited")
		}
		if st, body, _ := admin.post(t, "/staff/admin/users/nobody/reset", url.Values{}); st != 404 || !strings.Contains(body, "Không có tài khoản này") {
			t.Errorf("reset of an unknown account: %d", st)
		}

		// The sign-in log shows the attempts.
		st, body = admin.get(t, "/staff/admin/signins?username=tuphap.an")
		if st != 200 || !strings.Contains(body, "Tài khoản đã vô hiệu hóa") || !strings.Contains(body, "Sai mật khẩu") || !strings.Contains(body, "Thành công") {
			t.Errorf("sign-in log: %d", st)
		}
	})
}

func TestAdminAgencies(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		admin := signIn(t, env, "quantri")
		dept := url.Values{"code": {"H56.16072.VHXH"}, "name": {"Phòng Văn hóa – Xã hội xã Hoa Lộc"}, "name_en": {"Culture and Social Affairs Office"},
			"kind": {"department"}, "parent": {""}, "address": {"Trụ sở UBND xã Hoa Lộc"}, "phone": {"0237 3800 001"}, "email": {"vhxh.hoaloc@thanhhoa.gov.vn"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range dept {
				f[kk] = vv
			}
			f.Set(k, v)
			return f
		}
		for _, c := range []struct {
			what   string
			form   url.Values
			status int
			text   string
		}{
			{"a code with a space", with("code", "H56 X"), 400, "Mã cơ quan chỉ gồm"},
			{"a code ending in a dot", with("code", "H56.16072."), 400, "Mã cơ quan chỉ gồm"},
			{"a taken code", with("code", "H56.16072.KT"), 400, "Đã có cơ quan với mã này"},
			{"no name", with("name", ""), 400, "Vui lòng nhập tên cơ quan"},
			{"a bad e-mail", with("email", "vhxh@"), 400, "Địa chỉ thư điện tử không hợp lệ"},
			{"a bad kind", with("kind", "ministry"), 400, "Loại cơ quan không hợp lệ"},
			{"a department under the province", with("parent", "H56"), 400, "Phòng, ban phải thuộc một Ủy ban nhân dân xã"},
			{"an unknown parent", with("parent", "H99"), 400, "Không có cơ quan cấp trên này"},
		} {
			st, body, _ := admin.post(t, "/staff/admin/agencies", c.form)
			adminVietnameseError(t, c.what, st, body, c.status, c.text)
		}
		// A department without a parent hangs under the home commune.
		st, _, loc := admin.post(t, "/staff/admin/agencies", dept)
		if st != 200 || loc.Path != "/staff/admin/agencies" {
			t.Fatalf("create: %d %s", st, loc)
		}
		a, err := env.App.Org.Get(ctx, "H56.16072.VHXH")
		if err != nil || a.Kind != "department" || a.Parent != "H56.16072" || a.Email != "vhxh.hoaloc@thanhhoa.gov.vn" {
			t.Fatalf("created %+v %v", a, err)
		}
		if !adminAudited(t, env, "agency", "H56.16072.VHXH", "agency.create") {
			t.Error("not audited")
		}
		// The new department is an agency staff can belong to.
		if st, body := admin.get(t, "/staff/admin/users/new"); st != 200 || !strings.Contains(body, "H56.16072.VHXH") {
			t.Error("the user form does not offer the new department")
		}
		// Edit the commune's centre; the sandbox mark stays.
		home, _ := env.App.Org.Get(ctx, "H56.16072")
		f := url.Values{"name": {home.Name}, "name_en": {home.NameEn}, "kind": {"commune"}, "parent": {"H56"}, "address": {home.Address},
			"phone": {home.Phone}, "email": {home.Email}, "centre_name": {home.Centre.Name}, "centre_address": {home.Centre.Address},
			"centre_hours": {"Sáng 7:00–11:30, chiều 13:30–17:00"}, "centre_hotline": {"1900 0000"}, "centre_website": {"dichvucong.thanhhoa.gov.vn"}}
		if st, _, _ := admin.post(t, "/staff/admin/agencies/H56.16072", f); st != 200 {
			t.Errorf("edit the commune: %d", st)
		}
		home, _ = env.App.Org.Get(ctx, "H56.16072")
		if home.Centre.Hours != "Sáng 7:00–11:30, chiều 13:30–17:00" || home.Centre.Hotline != "1900 0000" || !home.Centre.Sandbox || home.Centre.Province != "Thanh Hóa" {
			t.Errorf("edited centre %+v", home.Centre)
		}
		if st, body := admin.get(t, "/"); st != 200 || !strings.Contains(body, "1900 0000") {
			t.Error("the public page does not show the new hotline")
		}
		// A loop of parents is refused.
		f = url.Values{"name": {"Ủy ban nhân dân tỉnh Thanh Hóa"}, "kind": {"province"}, "parent": {"H56.16072.VHXH"}}
		st, body, _ := admin.post(t, "/staff/admin/agencies/H56", f)
		adminVietnameseError(t, "a loop", st, body, 400, "lại trực thuộc cơ quan đang sửa")
		// A commune with departments keeps its kind.
		f = url.Values{"name": {home.Name}, "kind": {"police"}, "parent": {"H56"}}
		st, body, _ = admin.post(t, "/staff/admin/agencies/H56.16072", f)
		adminVietnameseError(t, "a commune with departments becomes police", st, body, 400, "còn phòng, ban trực thuộc")
	})
}

func TestAdminCounters(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		admin := signIn(t, env, "quantri")
		st, body := admin.get(t, "/staff/admin/counters")
		if st != 200 || !strings.Contains(body, "Quầy 1 – Hộ tịch") {
			t.Fatalf("counters: %d", st)
		}
		for _, c := range []struct {
			what   string
			form   url.Values
			status int
			text   string
		}{
			{"a number that is not one", url.Values{"number": {"bảy"}, "name": {"Quầy 7"}}, 400, "Số quầy phải là một số"},
			{"number 0", url.Values{"number": {"0"}, "name": {"Quầy 0"}}, 400, "Số quầy phải từ 1 đến 99"},
			{"number 100", url.Values{"number": {"100"}, "name": {"Quầy 100"}}, 400, "Số quầy phải từ 1 đến 99"},
			{"a counter that exists", url.Values{"number": {"1"}, "name": {"Quầy 1 bis"}}, 400, "Đã có quầy số 1"},
			{"no name", url.Values{"number": {"7"}, "name": {"  "}}, 400, "Vui lòng nhập tên quầy"},
		} {
			st, body, _ := admin.post(t, "/staff/admin/counters", c.form)
			adminVietnameseError(t, c.what, st, body, c.status, c.text)
		}
		if st, _, _ := admin.post(t, "/staff/admin/counters", url.Values{"number": {"7"}, "name": {"Quầy 7 – Đất đai"}}); st != 200 {
			t.Fatalf("add: %d", st)
		}
		if st, _, _ := admin.post(t, "/staff/admin/counters/7", url.Values{"name": {"Quầy 7 – Đất đai, xây dựng"}}); st != 200 {
			t.Errorf("rename: %d", st)
		}
		st, body, _ = admin.post(t, "/staff/admin/counters/7", url.Values{"name": {""}})
		adminVietnameseError(t, "rename to nothing", st, body, 400, "Vui lòng nhập tên quầy")
		if st, _, _ := admin.post(t, "/staff/admin/counters/8", url.Values{"name": {"Quầy 8"}}); st != 404 {
			t.Errorf("rename an unknown counter: %d", st)
		}
		if st, _, _ := admin.post(t, "/staff/admin/counters/abc/remove", url.Values{}); st != 404 {
			t.Errorf("remove counter abc: %d", st)
		}
		cs, _ := env.App.Org.Counters(ctx, "H56.16072")
		if len(cs) != 7 || cs[6].Name != "Quầy 7 – Đất đai, xây dựng" {
			t.Errorf("counters %+v", cs)
		}
		// An officer sits at counter 7: it cannot be removed until they move.
		lan := adminUserID(t, env, "motcua.lan")
		if err := env.App.Staff.UpdateUser(ctx, &identity.Principal{ID: "test"}, lan, identity.UserInput{FullName: "Lê Thị Lan",
			Roles: []string{"counter_officer"}, Agency: "H56.16072", Counter: 7}); err != nil {
			t.Fatal(err)
		}
		st, body, _ = admin.post(t, "/staff/admin/counters/7/remove", url.Values{})
		adminVietnameseError(t, "remove a counter in use", st, body, 409, "Lê Thị Lan")
		if err := env.App.Staff.UpdateUser(ctx, &identity.Principal{ID: "test"}, lan, identity.UserInput{FullName: "Lê Thị Lan",
			Roles: []string{"counter_officer"}, Agency: "H56.16072", Counter: 1}); err != nil {
			t.Fatal(err)
		}
		if st, _, _ := admin.post(t, "/staff/admin/counters/7/remove", url.Values{}); st != 200 {
			t.Errorf("remove: %d", st)
		}
		if cs, _ := env.App.Org.Counters(ctx, "H56.16072"); len(cs) != 6 {
			t.Errorf("%d counters after the removal", len(cs))
		}
		for _, action := range []string{"counter.add", "counter.rename", "counter.remove"} {
			if !adminAudited(t, env, "counter", "H56.16072/7", action) {
				t.Errorf("%s not audited", action)
			}
		}
	})
}

func TestAdminServedProcedures(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		admin := signIn(t, env, "quantri")
		all := env.App.Catalog.Catalog().All()
		st, body := admin.get(t, "/staff/admin/procedures")
		if st != 200 || strings.Count(body, `name="served"`) != len(all) || strings.Count(body, " checked") != len(all) {
			t.Fatalf("procedures page: %d", st)
		}
		if !strings.Contains(body, "cần kiểm tra") {
			t.Error("the list does not say what to check")
		}
		// Untick the birth registration.
		f := url.Values{}
		for _, p := range all {
			if p.Code != "1.001193" {
				f.Add("served", p.Code)
			}
		}
		if st, _, _ := admin.post(t, "/staff/admin/procedures", f); st != 200 {
			t.Fatalf("save: %d", st)
		}
		codes, _ := env.App.Catalog.Served(ctx, "H56.16072")
		if len(codes) != len(all)-1 {
			t.Errorf("%d served, want %d", len(codes), len(all)-1)
		}
		lan := signIn(t, env, "motcua.lan")
		if _, body := lan.get(t, "/staff/intake?q=khai+sinh"); strings.Contains(body, "/staff/intake/1.001193") {
			t.Error("the intake still offers a procedure the centre no longer serves")
		}
		if _, body := admin.get(t, "/staff/admin/procedures"); strings.Contains(body, `value="1.001193"  checked`) || strings.Count(body, " checked") != len(all)-1 {
			t.Error("the unticked procedure is still ticked")
		}
		// Ticking every one (or none) means the whole catalogue.
		f.Add("served", "1.001193")
		admin.post(t, "/staff/admin/procedures", f)
		if codes, _ := env.App.Catalog.Served(ctx, "H56.16072"); len(codes) != 0 {
			t.Errorf("all ticked stores %d codes", len(codes))
		}
		if !adminAudited(t, env, "agency", "H56.16072", "catalog.set_served") {
			t.Error("not audited")
		}
		st, body, _ = admin.post(t, "/staff/admin/procedures", url.Values{"served": {"1.001193", "9.999999"}})
		adminVietnameseError(t, "an unknown procedure", st, body, 404, "Không có thủ tục mã 9.999999")
	})
}

func TestAdminWorkflow(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		admin := signIn(t, env, "quantri")
		st, body := admin.get(t, "/staff/admin/procedures/1.001193")
		if st != 200 || !strings.Contains(body, "cần kiểm tra (3P)") || !strings.Contains(body, `value="2026-11-28"`) || !strings.Contains(body, "&#34;states&#34;") {
			t.Fatalf("editor: %d", st)
		}
		p, _ := env.App.Catalog.Catalog().Get("1.001193")
		v1, _ := p.Version(1)
		wf, _ := json.Marshal(v1.WorkflowDef)
		post := func(workflow, day string) (int, string) {
			st, body, _ := admin.post(t, "/staff/admin/procedures/1.001193/workflow", url.Values{"workflow": {workflow}, "effective_from": {day}})
			return st, body
		}
		// Problems name the line or the field.
		st, body = post(`{"id": "same-day", "states": [`, "2026-11-28")
		adminVietnameseError(t, "cut JSON", st, body, 400, "bị cắt cụt")
		st, body = post("{\"id\": \"x\",\n \"states\": [}", "2026-11-28")
		adminVietnameseError(t, "bad JSON", st, body, 400, "lỗi ở dòng 2")
		st, body = post(`{"id": "x", "name": "x", "states": [{"id": "a", "status": "two"}]}`, "2026-11-28")
		adminVietnameseError(t, "a status that is a word", st, body, 400, "states.status")
		st, body = post(`{"id": "x", "colour": "red"}`, "2026-11-28")
		adminVietnameseError(t, "an unknown field", st, body, 400, "Trường &#34;colour&#34; không có")
		broken := strings.Replace(string(wf), `"start":true`, `"start":false`, 1)
		st, body = post(broken, "2026-11-28")
		adminVietnameseError(t, "no start state", st, body, 400, "states: phải có đúng một trạng thái bắt đầu")
		badRole := strings.Replace(string(wf), `"counter_officer"`, `"janitor"`, 1)
		st, body = post(badRole, "2026-11-28")
		adminVietnameseError(t, "an unknown role", st, body, 400, "roles[0]: không có vai trò")
		st, body = post(string(wf), "2026-11-28")
		adminVietnameseError(t, "no change", st, body, 400, "Quy trình không thay đổi")
		changed := strings.Replace(string(wf), `"Đã tiếp nhận"`, `"Đã tiếp nhận tại quầy"`, 1)
		st, body = post(changed, "2026-11-20")
		adminVietnameseError(t, "a date in the past", st, body, 400, "không được trước hôm nay")
		st, body = post(changed, "28/11/2026")
		adminVietnameseError(t, "a date written otherwise", st, body, 400, "năm-tháng-ngày")
		if got, _ := env.App.Catalog.Catalog().Get("1.001193"); len(got.Versions) != 2 {
			t.Fatalf("a refused edit changed the catalogue: %d versions", len(got.Versions))
		}

		// A valid edit: a new version from the chosen date; dossiers received keep theirs.
		st, body = post(changed, "2026-11-28")
		if st != 200 || !strings.Contains(body, "Đã tạo phiên bản 3") {
			t.Fatalf("save: %d", st)
		}
		p, _ = env.App.Catalog.Catalog().Get("1.001193")
		v1, _ = p.Version(1)
		v2, _ := p.Version(2)
		v3, ok := p.Version(3)
		if !ok || v3.EffectiveFrom != "2026-11-28" || v3.EffectiveTo != "2027-03-01" || v1.EffectiveTo != "2026-11-28" || v2.EffectiveFrom != "2027-03-01" {
			t.Fatalf("versions %+v", p.Versions)
		}
		if v3.WorkflowDef.States[0].Name != "Đã tiếp nhận tại quầy" || v1.WorkflowDef.States[0].Name != "Đã tiếp nhận" {
			t.Error("the workflows are not as edited")
		}
		if len(v3.Components) != len(v1.Components) || v3.Fee.Kind != v1.Fee.Kind || v3.Time != v1.Time {
			t.Error("the new version is not a copy of the one in force")
		}
		if now, _ := p.VersionAt(env.App.Cfg.Now()); now.Version != 1 {
			t.Errorf("version %d in force today, want 1", now.Version)
		}
		if !adminAudited(t, env, "catalog", "procedures", "catalog.import") {
			t.Error("not audited")
		}
		// Changing it again before it comes into force replaces it.
		again := strings.Replace(changed, `"Đã tiếp nhận tại quầy"`, `"Tiếp nhận"`, 1)
		if st, body = post(again, "2026-11-28"); st != 200 {
			t.Fatalf("second save: %d %s", st, body)
		}
		p, _ = env.App.Catalog.Catalog().Get("1.001193")
		if _, ok := p.Version(3); ok || len(p.Versions) != 3 {
			t.Errorf("versions after the second edit: %+v", p.Versions)
		}
		if v4, ok := p.Version(4); !ok || v4.EffectiveFrom != "2026-11-28" || v4.WorkflowDef.States[0].Name != "Tiếp nhận" {
			t.Errorf("version 4: %+v", v4)
		}
		// The version in force today began before today, so a change from
		// today is a new version too.
		if st, _ = post(again, "2026-11-27"); st != 200 {
			t.Errorf("a change from today: %d", st)
		}
	})
}

// adminSchedule2027 is an official schedule of 2027 in the file format.
const adminSchedule2027 = `{"year": 2027, "source": "Thông báo thử nghiệm của Bộ Nội vụ về lịch nghỉ năm 2027",
 "days": [
  {"date": "2027-01-01", "name": "Tết Dương lịch", "name_en": "New Year's Day", "kind": "holiday"},
  {"date": "2027-02-05", "name": "Tết Nguyên đán (29 tháng Chạp)", "kind": "holiday"},
  {"date": "2027-02-06", "name": "Tết Nguyên đán (mùng 1)", "kind": "holiday"},
  {"date": "2027-02-08", "name": "Tết Nguyên đán (mùng 3)", "kind": "holiday"},
  {"date": "2027-02-09", "name": "Tết Nguyên đán (mùng 4)", "kind": "holiday"},
  {"date": "2027-02-10", "name": "Nghỉ bù Tết Nguyên đán", "kind": "compensatory"},
  {"date": "2027-02-20", "name": "Làm bù", "kind": "swapped_workday"}
 ]}`

func TestAdminCalendar(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		admin := signIn(t, env, "quantri")
		st, body := admin.get(t, "/staff/admin/calendar")
		if st != 200 || !strings.Contains(body, `value="07:30"`) || !strings.Contains(body, `value="15:00"`) || !strings.Contains(body, "Dự kiến") {
			t.Fatalf("calendar: %d", st)
		}
		hours := func(from, to []string, cutoff string) (int, string) {
			st, body, _ := admin.post(t, "/staff/admin/calendar/hours", url.Values{"from": from, "to": to, "cutoff": {cutoff}})
			return st, body
		}
		st, body = hours([]string{"07:30", "13:00"}, []string{"11:30", "12:00"}, "15:00")
		adminVietnameseError(t, "an end before the start", st, body, 400, "Buổi 2: giờ kết thúc phải sau giờ bắt đầu")
		st, body = hours([]string{"07:30", "11:00"}, []string{"11:30", "17:00"}, "15:00")
		adminVietnameseError(t, "overlapping periods", st, body, 400, "Buổi 2 phải bắt đầu sau khi buổi trước kết thúc")
		st, body = hours([]string{"7h30"}, []string{"11:30"}, "10:00")
		adminVietnameseError(t, "a time written otherwise", st, body, 400, "giờ phải viết dạng giờ:phút")
		st, body = hours([]string{"07:30", "13:00"}, []string{"11:30", "17:00"}, "18:00")
		adminVietnameseError(t, "a cut-off after hours", st, body, 400, "Giờ chốt phải nằm trong giờ làm việc")
		st, body = hours([]string{"", ""}, []string{"", ""}, "15:00")
		adminVietnameseError(t, "no hours", st, body, 400, "ít nhất một buổi")
		st, body, _ = admin.post(t, "/staff/admin/calendar/hours", url.Values{"from": {"1", "2", "3", "4", "5", "6", "7"}, "cutoff": {"15:00"}})
		adminVietnameseError(t, "too many periods", st, body, 400, "quá nhiều buổi")

		st, body = hours([]string{"7:00", "13:30", ""}, []string{"11:30", "17:00", ""}, "15:30")
		if st != 200 || !strings.Contains(body, "Đã lưu giờ làm việc 07:00-11:30,13:30-17:00") {
			t.Fatalf("save hours: %d", st)
		}
		cfg := env.App.Calendar.Calendar().Config()
		if len(cfg.Office) != 2 || cfg.Office[0].Start != 7*60 || cfg.Cutoff != 15*60+30 {
			t.Errorf("config %+v", cfg)
		}
		if !adminAudited(t, env, "calendar", "office", "calendar.set_office_hours") {
			t.Error("office hours not audited")
		}

		// A schedule pasted, then one uploaded as a file.
		sched := func(field, content string) (int, string) {
			t.Helper()
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("csrf", admin.csrf)
			if field == "schedule_file" {
				fw, _ := mw.CreateFormFile("schedule_file", "2027.json")
				fw.Write([]byte(content))
			} else {
				mw.WriteField(field, content)
			}
			mw.Close()
			resp, err := admin.Post(env.URL+"/staff/admin/calendar/schedule", mw.FormDataContentType(), &buf)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		st, body = sched("schedule_json", "")
		adminVietnameseError(t, "nothing", st, body, 400, "Vui lòng chọn tệp lịch")
		st, body = sched("schedule_json", `{"year": 2027, "days": [`)
		adminVietnameseError(t, "cut JSON", st, body, 400, "bị cắt cụt")
		st, body = sched("schedule_file", strings.Replace(adminSchedule2027, `"swapped_workday"`, `"party"`, 1))
		adminVietnameseError(t, "a bad kind", st, body, 400, "Lịch nghỉ chưa hợp lệ")
		st, body = sched("schedule_file", strings.Replace(adminSchedule2027, `"2027-02-20"`, `"2027-02-22"`, 1))
		adminVietnameseError(t, "a swapped Monday", st, body, 400, "swapped working day must be a Saturday or Sunday")
		st, body = sched("schedule_json", strings.Replace(adminSchedule2027, `"source": "Thông báo thử nghiệm của Bộ Nội vụ về lịch nghỉ năm 2027",`, "", 1))
		adminVietnameseError(t, "no source", st, body, 400, "source is required")
		if _, official := env.App.Calendar.Calendar().ScheduleSource(2027); official {
			t.Fatal("a refused schedule was installed")
		}
		st, body = sched("schedule_json", adminSchedule2027)
		if st != 200 || !strings.Contains(body, "Đã nạp lịch chính thức năm 2027 (7 ngày)") || !strings.Contains(body, "Làm bù") {
			t.Fatalf("paste: %d %s", st, body)
		}
		if _, official := env.App.Calendar.Calendar().ScheduleSource(2027); !official {
			t.Error("2027 is not official")
		}
		st, body = sched("schedule_file", strings.Replace(adminSchedule2027, `"Làm bù"`, `"Làm bù thứ Bảy"`, 1))
		if st != 200 || !strings.Contains(body, "Làm bù thứ Bảy") || !strings.Contains(body, "Chính thức") {
			t.Errorf("upload: %d", st)
		}
		if !adminAudited(t, env, "schedule", "2027", "calendar.load_schedule") {
			t.Error("schedule not audited")
		}
	})
}
