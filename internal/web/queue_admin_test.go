package web_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/queue"
)

var queueAdminPosts = []string{"/staff/admin/queue/groups", "/staff/admin/queue/groups/ho_tich", "/staff/admin/queue/counters/1", "/staff/admin/queue/settings"}

// qaGroupForm is a valid new group's form.
func qaGroupForm() url.Values {
	return url.Values{"code": {"tu_phap"}, "prefix": {"G"}, "name": {"Tư pháp khác"}, "name_en": {"Other justice"}, "icon": {"stamp"},
		"service_minutes": {"7,5"}, "position": {"7"}, "active": {"1"}, "procedures": {"2.000815", "1.004873"}}
}

// The queue's administration: administrators only; groups, counters and
// rules saved through the queue service, each mistake said at its field in
// Vietnamese (English on English pages).
func TestQueueAdminPages(t *testing.T) {
	qsEach(t, func(t *testing.T, env *apptest.Env, clock *qsClock) {
		ctx := context.Background()
		q := env.App.Queue
		admin := signIn(t, env, "quantri")
		for _, lang := range []string{"en", "vi"} {
			for _, p := range []string{"/staff/admin/queue", "/staff/admin/queue/groups/new", "/staff/admin/queue/groups/ho_tich", "/staff/admin/queue/settings"} {
				st, body := admin.get(t, p+"?lang="+lang)
				if st != 200 || !strings.Contains(body, `lang="`+lang+`"`) || !strings.Contains(body, "<h1>") {
					t.Errorf("%s in %s: %d", p, lang, st)
				}
				for _, k := range []string{">qa.", `"qa.`, ">qc.", ">q.", ">admin."} {
					if strings.Contains(body, k) {
						t.Errorf("%s in %s shows a translation key (%s)", p, lang, k)
					}
				}
			}
		}
		if st, _ := admin.get(t, "/staff/admin/queue/groups/nope"); st != 404 {
			t.Errorf("unknown group: %d", st)
		}
		for _, p := range queueAdminPosts {
			if st, _, _ := admin.post(t, p, url.Values{"csrf": {"forged"}}); st != 403 {
				t.Errorf("POST %s with a forged token: %d", p, st)
			}
		}
		lan := signIn(t, env, "motcua.lan")
		if st, _ := lan.get(t, "/staff/admin/queue"); st != 403 {
			t.Errorf("counter officer at the queue's administration: %d", st)
		}
		for _, p := range queueAdminPosts {
			if st, _, _ := lan.post(t, p, qaGroupForm()); st != 403 {
				t.Errorf("counter officer POST %s: %d", p, st)
			}
		}

		// A new group: each mistake at its field.
		for _, bad := range []struct {
			field, value string
			status       int
			want         string
		}{
			{"prefix", "a1", 400, "Chữ đầu số thứ tự là một hoặc hai chữ cái in hoa"},
			{"prefix", "A", 400, "Chữ A đã dùng cho nhóm ho_tich"},
			{"code", "ho_tich", 400, "Đã có nhóm với mã này"},
			{"code", "Tư Pháp", 400, "Mã nhóm gồm chữ thường không dấu"},
			{"name", "", 400, "Vui lòng nhập tên nhóm dịch vụ"},
			{"service_minutes", "nhanh", 400, "Thời gian phục vụ là một số phút"},
			{"service_minutes", "300", 400, "Thời gian phục vụ trung bình phải từ 30 giây đến 4 giờ"},
			{"position", "-3", 400, "Thứ tự là một số nguyên"},
			{"icon", "rocket", 400, "Chọn một hình trong danh sách"},
			{"procedures", "9.999999", 400, "Không có thủ tục 9.999999 trong danh mục"},
		} {
			f := qaGroupForm()
			f.Set(bad.field, bad.value)
			st, body, _ := admin.post(t, "/staff/admin/queue/groups", f)
			adminVietnameseError(t, bad.field+"="+bad.value, st, body, bad.status, bad.want)
			if !strings.Contains(body, `id="error-summary"`) || !strings.Contains(body, `value="Other justice"`) {
				t.Errorf("%s: the form is not shown again with what was typed", bad.field)
			}
		}
		// In English.
		f := qaGroupForm()
		f.Set("prefix", "a1")
		if st, body, _ := admin.post(t, "/staff/admin/queue/groups?lang=en", f); st != 400 || !strings.Contains(body, "The ticket letter is one or two unaccented capital letters") {
			t.Errorf("English error: %d", st)
		}
		admin.get(t, "/staff/admin/queue?lang=vi")
		st, body, u := admin.post(t, "/staff/admin/queue/groups", qaGroupForm())
		if st != 200 || u.Path != "/staff/admin/queue" || qsFlash(body) != "Đã lưu nhóm G – Tư pháp khác." {
			t.Fatalf("new group: %d %q", st, qsFlash(body))
		}
		g, err := q.Group(ctx, "H56.16072", "tu_phap")
		if err != nil || g.ServiceSeconds != 450 || g.Icon != "stamp" || !g.Active || g.Position != 7 || !slices.Equal(g.Procedures, []string{"2.000815", "1.004873"}) {
			t.Fatalf("saved group: %+v %v", g, err)
		}
		if !adminAudited(t, env, "queue_group", "H56.16072/tu_phap", "queue.group_save") {
			t.Error("group save not audited")
		}
		// The edit form shows what another group covers; pausing the group.
		if _, body := admin.get(t, "/staff/admin/queue/groups/tu_phap"); !strings.Contains(body, "đang thuộc nhóm A – Hộ tịch") || !strings.Contains(body, `id="p-2.000815" name="procedures" value="2.000815" checked`) {
			t.Error("edit form: procedures")
		}
		f = qaGroupForm()
		f.Del("active")
		f.Set("code", "other") // the code in the address wins
		if st, body, _ := admin.post(t, "/staff/admin/queue/groups/tu_phap", f); st != 200 || qsFlash(body) == "" {
			t.Errorf("edit group: %d", st)
		}
		if g, _ := q.Group(ctx, "H56.16072", "tu_phap"); g.Active {
			t.Error("the group is still taking numbers")
		}
		if _, err := q.Group(ctx, "H56.16072", "other"); err == nil {
			t.Error("the code changed")
		}

		// A counter's groups and state.
		st, body, _ = admin.post(t, "/staff/admin/queue/counters/1", url.Values{"groups": {"ho_tich", "tu_phap"}})
		if st != 200 || qsFlash(body) != "Đã lưu quầy 1." {
			t.Errorf("counter 1: %d %q", st, qsFlash(body))
		}
		if c, _ := q.Counter(ctx, "H56.16072", 1); c.Open || !slices.Equal(c.Groups, []string{"ho_tich", "tu_phap"}) {
			t.Errorf("counter 1 saved: %+v", c)
		}
		st, body, _ = admin.post(t, "/staff/admin/queue/counters/2", url.Values{"groups": {"nope"}, "open": {"1"}})
		adminVietnameseError(t, "counter with an unknown group", st, body, 400, "Không có nhóm dịch vụ này")
		if !strings.Contains(body, `id="groups-2-error"`) {
			t.Error("the counter's error is not beside its form")
		}
		if st, _, _ := admin.post(t, "/staff/admin/queue/counters/77", url.Values{"open": {"1"}}); st != 404 {
			t.Errorf("unknown counter: %d", st)
		}

		// The rules.
		rules := func() url.Values {
			return url.Values{"priority_mode": {"interleave"}, "interleave_n": {"2"}, "grace_minutes": {"3"}, "max_absences": {"3"}, "keep_overnight": {"1"},
				"notify_ahead": {"2"}, "slot_minutes": {"20"}, "booking_days": {"10"}, "booking_share": {"40"},
				"pc_code": {"elderly", "disabled", "", "veteran"}, "pc_name": {"Người cao tuổi", "Người khuyết tật", "", "Cựu chiến binh"},
				"pc_name_en": {"Elderly", "Disabled", "", "Veteran"}}
		}
		for _, bad := range []struct{ field, value, want string }{
			{"interleave_n", "0", "Số lượt thường giữa hai lượt ưu tiên phải từ 1 đến 50"},
			{"grace_minutes", "năm", "Vui lòng nhập một số nguyên"},
			{"booking_share", "120", "Tỷ lệ dành cho lịch hẹn phải từ 0 đến 100%"},
			{"priority_mode", "random", "Cách ưu tiên phải là strict"},
			{"pc_code", "Cao Tuổi", "Mỗi nhóm ưu tiên cần một mã"},
		} {
			f := rules()
			if bad.field == "pc_code" {
				f["pc_code"][0] = bad.value
			} else {
				f.Set(bad.field, bad.value)
			}
			st, body, _ := admin.post(t, "/staff/admin/queue/settings", f)
			adminVietnameseError(t, "rules "+bad.field, st, body, 400, bad.want)
			if !strings.Contains(body, "Cựu chiến binh") {
				t.Errorf("rules %s: the classes typed are lost", bad.field)
			}
		}
		f = rules()
		f["pc_code"], f["pc_name"], f["pc_name_en"] = []string{""}, []string{""}, []string{""}
		if st, body, _ := admin.post(t, "/staff/admin/queue/settings", f); st != 400 || !strings.Contains(body, "Cần ít nhất một diện ưu tiên") {
			t.Errorf("no classes: %d", st)
		}
		st, body, _ = admin.post(t, "/staff/admin/queue/settings", rules())
		if st != 200 || qsFlash(body) != "Đã lưu quy tắc gọi số." {
			t.Fatalf("rules: %d %q", st, qsFlash(body))
		}
		s, _ := q.Settings(ctx, "H56.16072")
		if s.PriorityMode != queue.ModeInterleave || s.InterleaveN != 2 || s.GraceMinutes != 3 || !s.KeepOvernight || s.BookingShare != 40 || len(s.PriorityClasses) != 3 ||
			s.PriorityClasses[2] != (queue.PriorityClass{Code: "veteran", Name: "Cựu chiến binh", NameEn: "Veteran"}) {
			t.Errorf("rules saved: %+v", s)
		}
		if _, body := admin.get(t, "/staff/admin/queue/settings"); !strings.Contains(body, `value="veteran"`) || !strings.Contains(body, `id="mode-interleave" name="priority_mode" value="interleave" checked`) {
			t.Error("the rules' form does not show what is saved")
		}
	})
}
