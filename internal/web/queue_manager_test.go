package web_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
)

// qmCell is a figure of the manager's board: the cell k of the row key in
// the table id.
func qmCell(t *testing.T, body, table, key, k string) string {
	t.Helper()
	i := strings.Index(body, `id="`+table+`"`)
	if i < 0 {
		t.Fatalf("no table %s", table)
	}
	rest := body[i:]
	rest = rest[:strings.Index(rest, "</table>")]
	re := regexp.MustCompile(`(?s)<tr data-key="` + regexp.QuoteMeta(key) + `">.*?</tr>`)
	row := re.FindString(rest)
	if row == "" {
		return "(no row)"
	}
	m := regexp.MustCompile(`data-k="` + k + `">([^<]*)<`).FindStringSubmatch(row)
	if m == nil {
		return "(no cell)"
	}
	return m[1]
}

// The manager's board shows what happened: the line now, the counters,
// the day's figures by group, counter and officer, a period by day, and
// its export; only the manager's roles read it.
func TestQueueManagerPages(t *testing.T) {
	qsEach(t, func(t *testing.T, env *apptest.Env, clock *qsClock) {
		ctx := context.Background()
		q := env.App.Queue
		officer := func(name string, n int) *identity.Principal {
			return &identity.Principal{ID: name, Name: name, Roles: []string{identity.RoleCounter}, Agency: "H56.16072", Counter: string(rune('0' + n))}
		}
		lan, hung := officer("Lê Thị Lan", 1), officer("Nguyễn Văn Hùng", 2)
		a1 := qsIssue(t, env, clock, "ho_tich", "")        // 09:00
		a2 := qsIssue(t, env, clock, "ho_tich", "elderly") // 09:01
		qsIssue(t, env, clock, "chung_thuc", "")           // 09:02, clock 09:03
		must := func(_ *queue.Ticket, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(q.CallNext(ctx, lan, "", 1)) // A002 waited 2 minutes
		clock.Add(4 * time.Minute)
		must(q.Act(ctx, lan, a2.ID, queue.ActRequest{Action: queue.ActStart, Counter: 1}))
		clock.Add(3 * time.Minute)
		must(q.Act(ctx, lan, a2.ID, queue.ActRequest{Action: queue.ActFinish, Counter: 1})) // served 3 minutes
		must(q.CallNext(ctx, lan, "", 1))                                                   // A001 at 09:10, waited 10 minutes
		must(q.Act(ctx, lan, a1.ID, queue.ActRequest{Action: queue.ActAbsent, Counter: 1}))
		clock.Add(5 * time.Minute)
		must(q.CallNext(ctx, lan, "", 1))
		must(q.Act(ctx, lan, a1.ID, queue.ActRequest{Action: queue.ActAbsent, Counter: 1})) // a no-show
		must(q.CallNext(ctx, hung, "", 2))                                                  // B001 at 09:15, waited 13 minutes
		qsIssue(t, env, clock, "xa_hoi", "disabled")                                        // waiting
		clock.Add(30 * time.Minute)                                                         // it has waited 31 minutes

		binh := signIn(t, env, "chutich.binh")
		st, body := binh.get(t, "/queue/manager")
		if st != 200 || !strings.Contains(body, "Bảng điều hành hàng chờ") {
			t.Fatalf("manager: %d", st)
		}
		for _, c := range []struct{ table, key, k, want string }{
			{"qm-today-groups", "ho_tich", "issued", "2"},
			{"qm-today-groups", "ho_tich", "called", "2"},
			{"qm-today-groups", "ho_tich", "served", "1"},
			{"qm-today-groups", "ho_tich", "no_show", "1"},
			{"qm-today-groups", "ho_tich", "avg_wait", "6 phút"},
			{"qm-today-groups", "ho_tich", "max_wait", "10 phút"},
			{"qm-today-groups", "ho_tich", "avg_service", "3 phút"},
			{"qm-today-groups", "chung_thuc", "called", "1"},
			{"qm-today-groups", "chung_thuc", "max_wait", "13 phút"},
			{"qm-today-groups", "total", "issued", "4"},
			{"qm-today-groups", "total", "called", "3"},
			{"qm-today-groups", "total", "served", "1"},
			{"qm-today-groups", "total", "no_show", "1"},
			{"qm-today-counters", "1", "called", "2"},
			{"qm-today-counters", "1", "no_show", "1"},
			{"qm-today-counters", "2", "called", "1"},
			{"qm-today-officers", "Lê Thị Lan", "served", "1"},
			{"qm-today-officers", "Nguyễn Văn Hùng", "called", "1"},
		} {
			if got := qmCell(t, body, c.table, c.key, c.k); got != c.want {
				t.Errorf("%s %s %s: %q, want %q", c.table, c.key, c.k, got, c.want)
			}
		}
		// Now: one waiting for social protection, for 31 minutes; counter 2
		// serves B001.
		group := regexp.MustCompile(`(?s)<tr id="qm-group-xa_hoi">.*?</tr>`).FindString(body)
		if !strings.Contains(group, `data-k="waiting">1<`) || !strings.Contains(group, `data-k="priority">1<`) || !strings.Contains(group, "31 phút") || !strings.Contains(group, "quá 30 phút") {
			t.Errorf("social protection now: %s", group)
		}
		counter := regexp.MustCompile(`(?s)<tr id="qm-counter-2">.*?</tr>`).FindString(body)
		if !strings.Contains(counter, "B001") || !strings.Contains(counter, "Nguyễn Văn Hùng") || !strings.Contains(counter, "Đang mở") {
			t.Errorf("counter 2 now: %s", counter)
		}
		if c1 := regexp.MustCompile(`(?s)<tr id="qm-counter-1">.*?</tr>`).FindString(body); !strings.Contains(c1, "Lê Thị Lan") {
			t.Errorf("counter 1's seated officer: %s", c1)
		}

		// A period: by day, with its export.
		st, body = binh.get(t, "/queue/manager?from=2026-11-01&to=2026-11-27")
		if st != 200 || qmCell(t, body, "qm-days", "2026-11-27", "issued") != "4" || qmCell(t, body, "qm-period-groups", "ho_tich", "served") != "1" {
			t.Errorf("period: %d", st)
		}
		for _, bad := range []struct{ q, want string }{
			{"from=2026-13-01", "Ngày bắt đầu không hợp lệ"},
			{"from=2026-11-27&to=2026-11-01", "Ngày kết thúc phải từ ngày bắt đầu trở đi"},
			{"from=2024-01-01&to=2026-11-27", "Kỳ thống kê tối đa một năm"},
		} {
			if st, body := binh.get(t, "/queue/manager?"+bad.q); st != 400 || !strings.Contains(body, bad.want) || !strings.Contains(body, `id="qm-live"`) {
				t.Errorf("%s: %d", bad.q, st)
			}
		}
		resp, err := binh.Get(env.URL + "/queue/manager/export?format=xlsx&from=2026-11-01&to=2026-11-27")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "hang-cho_2026-11-01_2026-11-27.xlsx") {
			t.Fatalf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := x.GetCellValue("Theo ngày", "B4"); v != "4" {
			t.Errorf("xlsx: issued on the 27th %q (sheets %v)", v, x.GetSheetList())
		}
		if v, _ := x.GetCellValue("Theo nhóm dịch vụ", "A4"); v != "A – Hộ tịch" {
			t.Errorf("xlsx: first group %q", v)
		}
		st, csv := binh.get(t, "/queue/manager/export?format=csv&from=2026-11-27&to=2026-11-27")
		if st != 200 || !strings.Contains(csv, "Theo nhóm dịch vụ,A – Hộ tịch,2,2,1,1,360,600,180") {
			t.Errorf("csv: %d %s", st, csv)
		}
		if st, _ := binh.get(t, "/queue/manager/export?format=pdf"); st != 400 {
			t.Errorf("export as pdf: %d", st)
		}

		// English; the live part alone.
		if st, body := binh.get(t, "/queue/manager?lang=en"); st != 200 || !strings.Contains(body, "Queue manager&#39;s board") || !strings.Contains(body, "A – Civil status") ||
			strings.Contains(body, ">qm.") || strings.Contains(body, ">qc.") {
			t.Errorf("English board: %d", st)
		}
		if st, body := binh.get(t, "/queue/manager?part=live&lang=vi"); st != 200 || !strings.HasPrefix(strings.TrimSpace(body), `<div id="qm-live"`) {
			t.Errorf("live part: %d", st)
		}

		// Roles: counter officers, leaders, administrators, supervisors read it; a specialist does not.
		for user, want := range map[string]int{"motcua.lan": 200, "quantri": 200, "giamsat.tinh": 200, "tuphap.huong": 403} {
			c := signIn(t, env, user)
			st, body := c.get(t, "/queue/manager")
			if st != want {
				t.Errorf("%s: %d, want %d", user, st, want)
			}
			if want == 200 && qmCell(t, body, "qm-today-groups", "total", "issued") != "4" {
				t.Errorf("%s sees another centre", user)
			}
			if user == "quantri" {
				// The administration of the queue is the administrator's alone.
				if st, _ := c.get(t, "/staff/admin/queue"); st != 200 {
					t.Errorf("admin queue page: %d", st)
				}
			}
		}
	})
}
