package feedback_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/feedback"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

const home = "H56.16072"

// The demo commune's officers.
var (
	lan   = &identity.Principal{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}, Agency: home}
	huong = &identity.Principal{ID: "u003", Name: "Phạm Thị Hương", Roles: []string{identity.RoleSpecialist}, Agency: home}
	binh  = &identity.Principal{ID: "u007", Name: "Lê Văn Bình", Roles: []string{identity.RoleLeader}, Agency: home}
)

const base = "https://dichvucong.hoaloc.gov.vn"

type env struct {
	*apptest.Env
	clock *clock
	fb    *feedback.Service
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			c := &clock{}
			c.Set("2026-04-24 10:00") // a Friday before a long weekend
			a := apptest.Start(t, eng, apptest.Options{Commune: true, Now: c.Now, Cfg: func(cfg *app.Config) { cfg.BaseURL = base + "/" }})
			fn(t, &env{Env: a, clock: c, fb: a.App.Feedback})
		})
	}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Code
}

// signIn makes a citizen with the ID number.
func (e *env) signIn(t *testing.T, subject, idNumber, name string) feedback.Citizen {
	t.Helper()
	sess, err := e.App.Citizens.SignIn(context.Background(), citizen.Identity{Issuer: "test", Subject: subject, IDNumber: idNumber, FullName: name, Level: 2}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return feedback.Citizen{ID: sess.Citizen.ID, IDNumber: idNumber, Name: name}
}

// birth receives a birth registration for the applicant and, if finish,
// brings it to "result ready" (status 9) through the engine.
func (e *env) birth(t *testing.T, idNumber string, finish bool) string {
	t.Helper()
	ctx := context.Background()
	eng := e.App.Dossiers
	req := dossier.SubmitRequest{
		Procedure: "1.001193", Applicant: dossier.Applicant{Name: "Nguyễn Thị Hoa", IDNumber: idNumber, Phone: "0912345678"},
		Components: []dossier.ComponentInput{{ID: "to-khai"}, {ID: "giay-chung-sinh", Files: 1}, {ID: "giay-to-tuy-than", Source: "population_db"}},
		Form: map[string]any{"child_name": "Nguyễn Minh An", "child_birth_date": "2026-04-20", "child_sex": "male", "birth_place": "Trạm y tế xã Hoa Lộc",
			"mother_name": "Nguyễn Thị Hoa", "applicant_name": "Nguyễn Thị Hoa", "applicant_id": idNumber, "relation": "mother",
			"address": "Thôn Đông Hòa", "phone": "0912345678"},
	}
	res, err := eng.Submit(ctx, lan, req, "")
	if err != nil {
		t.Fatal(err)
	}
	c := res.Dossier.Code
	if !finish {
		return c
	}
	for _, s := range []struct {
		p      *identity.Principal
		action string
	}{{lan, "transfer"}, {huong, "submit"}, {binh, "sign"}} {
		if _, err := eng.Act(ctx, s.p, c, dossier.ActionRequest{Action: s.action, ResultCode: "15/2026/TP-KS"}, ""); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	return c
}

func TestPetitionDeadlinesAndSMS(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// Friday 24/04/2026 10:00: the weekend, the compensatory day for
		// the Hung Kings (Mon 27/4), 30/4 and 1/5 are not counted.
		p, err := e.fb.Submit(ctx, feedback.Submission{Agency: home, Name: "Trần Văn Ba", Phone: "0912 345 678", Topic: feedback.TopicStaff,
			Body: "Cán bộ hướng dẫn chưa rõ ràng về giấy tờ cần mang theo."})
		if err != nil {
			t.Fatal(err)
		}
		if p.Code != "PA-260424-0001" || p.State != feedback.StateReceived || p.Phone != "0912345678" {
			t.Errorf("petition: %+v", p)
		}
		if want := time.Date(2026, 5, 20, 17, 0, 0, 0, calendar.Location); !p.DueAt.Equal(want) {
			t.Errorf("answer due %s, want %s", p.DueAt, want)
		}
		if want := time.Date(2026, 4, 29, 17, 0, 0, 0, calendar.Location); !p.RejectDueAt.Equal(want) {
			t.Errorf("refusal due %s, want %s", p.RejectDueAt, want)
		}
		// After the 15:00 cut-off it counts from Tuesday 28/4.
		e.clock.Set("2026-04-24 16:00")
		p2, err := e.fb.Submit(ctx, feedback.Submission{Agency: home, Phone: "0987654321", Topic: feedback.TopicProcedure, Body: "Đề nghị niêm yết phí rõ hơn."})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 5, 21, 17, 0, 0, 0, calendar.Location); p2.Code != "PA-260424-0002" || !p2.DueAt.Equal(want) {
			t.Errorf("after the cut-off: %s due %s, want %s", p2.Code, p2.DueAt, want)
		}
		// The SMS: no diacritics, the code, the deadline, the official address only.
		var body string
		if err := e.App.DB.Read().QueryRowContext(ctx, "SELECT body FROM notify_messages WHERE idem_key = $1", "petition_received:"+p.ID).Scan(&body); err != nil {
			t.Fatal(err)
		}
		for _, r := range body {
			if r > 0x7f {
				t.Fatalf("SMS with diacritics: %q", body)
			}
		}
		if !strings.Contains(body, "PA-260424-0001") || !strings.Contains(body, "20/05/2026") || !strings.Contains(body, base+"/gop-y/PA-260424-0001") ||
			strings.Count(body, "http") != 1 || !strings.Contains(body, "Ma kiem tra: ") {
			t.Errorf("SMS: %q", body)
		}
		// Follow with code and phone, not with another phone.
		if got, err := e.fb.Follow(ctx, "pa-260424-0001", "+84912345678"); err != nil || got.ID != p.ID {
			t.Errorf("follow: %v", err)
		}
		if _, err := e.fb.Follow(ctx, "PA-260424-0001", "0987654321"); code(err) != "petition_not_found" {
			t.Errorf("follow with another phone: %v", err)
		}
		// Bad input: clear errors, nothing written.
		for _, c := range []struct {
			sub  feedback.Submission
			want string
		}{
			{feedback.Submission{Agency: home, Topic: feedback.TopicOther, Body: "Không có số điện thoại nào cả."}, "phone_required"},
			{feedback.Submission{Agency: home, Phone: "0912345678", Topic: feedback.TopicOther, Body: "Ngắn"}, "invalid_body"},
			{feedback.Submission{Agency: home, Phone: "0912345678", Topic: "weather", Body: "Nội dung đủ dài để gửi."}, "invalid_topic"},
			{feedback.Submission{Agency: home, Phone: "12345", Topic: feedback.TopicOther, Body: "Nội dung đủ dài để gửi."}, "invalid_phone"},
			{feedback.Submission{Agency: home, Phone: "0912345678", Topic: feedback.TopicOther, Body: "Nội dung\x00 có ký tự NUL."}, "invalid_body"},
			{feedback.Submission{Agency: home, Phone: "0912345678", Topic: feedback.TopicOther, Body: "Nội dung đủ dài để gửi.", DossierCode: "H56.16072-260424-0001"}, "dossier_not_found"},
			{feedback.Submission{Agency: home, Phone: "0912000000", Topic: feedback.TopicOther, Body: "Gửi lại phản ánh của người khác.", Follows: "PA-260424-0001"}, "petition_not_found"},
		} {
			if _, err := e.fb.Submit(ctx, c.sub); code(err) != c.want {
				t.Errorf("%+v: %v, want %s", c.sub, err, c.want)
			}
		}
		var n int
		e.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM feedback_petitions").Scan(&n)
		if n != 2 {
			t.Errorf("%d petitions stored, want 2", n)
		}
		// Answered: the answer, who, when, and a second SMS.
		staff := feedback.Staff{Actor: audit.Actor{ID: "u007", Name: "Lê Văn Bình", Roles: []string{identity.RoleLeader}}, Agency: home}
		e.clock.Set("2026-04-28 09:00")
		if _, err := e.fb.Handle(ctx, staff, p.Code, feedback.StateAnswered, "ngắn"); code(err) != "invalid_answer" {
			t.Errorf("short answer: %v", err)
		}
		other := feedback.Staff{Actor: staff.Actor, Agency: "H56.99999"}
		if _, err := e.fb.Handle(ctx, other, p.Code, feedback.StateAnswered, "Trả lời của xã khác, không được phép."); code(err) != "forbidden" {
			t.Errorf("another agency answers: %v", err)
		}
		a, err := e.fb.Handle(ctx, staff, p.Code, feedback.StateAnswered, "Trung tâm đã nhắc nhở cán bộ và niêm yết danh mục giấy tờ tại quầy.")
		if err != nil || a.State != feedback.StateAnswered || a.AnsweredByName != "Lê Văn Bình" || a.Standing(e.clock.Now()) != feedback.StandingOnTime {
			t.Fatalf("answer: %+v %v", a, err)
		}
		if _, err := e.fb.Handle(ctx, staff, p.Code, feedback.StateAnswered, "Trả lời lần thứ hai cho cùng phản ánh."); code(err) != "petition_handled" {
			t.Errorf("answered twice: %v", err)
		}
		var sms string
		e.App.DB.Read().QueryRowContext(ctx, "SELECT body FROM notify_messages WHERE idem_key = $1", "petition_answered:"+p.ID).Scan(&sms)
		if !strings.Contains(sms, "da tra loi") || !strings.Contains(sms, base+"/gop-y/"+p.Code) {
			t.Errorf("answer SMS: %q", sms)
		}
		entries, _ := audit.ForObject(ctx, e.App.DB, "petition", p.Code)
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action)
		}
		if strings.Join(actions, ",") != "feedback.petition_submit,feedback.petition_answered" {
			t.Errorf("audit: %v", actions)
		}
	})
}

func TestRatings(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		hoa := e.signIn(t, "hoa", "038190012345", "Nguyễn Thị Hoa")
		nam := e.signIn(t, "nam", "038085004321", "Lê Văn Nam")
		done := e.birth(t, hoa.IDNumber, true)
		open := e.birth(t, hoa.IDNumber, false)
		good := feedback.Scores{Reception: 5, Timeliness: 4, Result: 5, Attitude: 5}

		if _, err := e.fb.Rate(ctx, nam, done, good, ""); code(err) != "dossier_not_found" {
			t.Errorf("someone else's dossier: %v", err)
		}
		if _, err := e.fb.Rate(ctx, hoa, "H56.16072-000000-9999", good, ""); code(err) != "dossier_not_found" {
			t.Errorf("no such dossier: %v", err)
		}
		if _, err := e.fb.Rate(ctx, hoa, open, good, ""); code(err) != "dossier_not_finished" {
			t.Errorf("unfinished dossier: %v", err)
		}
		if _, err := e.fb.Rate(ctx, hoa, done, feedback.Scores{Reception: 6, Timeliness: 4, Result: 5, Attitude: 5}, ""); code(err) != "invalid_score" {
			t.Errorf("score 6: %v", err)
		}
		if _, err := e.fb.Rate(ctx, hoa, done, good, "bad\x00"); code(err) != "invalid_comment" {
			t.Errorf("NUL comment: %v", err)
		}
		r, err := e.fb.Rate(ctx, hoa, done, good, "Cán bộ nhiệt tình.")
		if err != nil || !r.EditableUntil.Equal(e.clock.Now().Add(feedback.RatingEditable)) {
			t.Fatalf("rate: %+v %v", r, err)
		}
		// Changed the next day: still one rating.
		e.clock.Set("2026-04-27 10:00")
		bad := feedback.Scores{Reception: 2, Timeliness: 1, Result: 3, Attitude: 2}
		if _, err := e.fb.Rate(ctx, hoa, done, bad, "Chờ lâu."); err != nil {
			t.Fatalf("change: %v", err)
		}
		var n int
		e.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM feedback_ratings").Scan(&n)
		if n != 1 {
			t.Errorf("%d ratings, want one per dossier", n)
		}
		d, err := e.fb.Dossier(ctx, hoa, done)
		if err != nil || d.Rating == nil || d.Rating.Scores != bad || d.Rating.Comment != "Chờ lâu." {
			t.Errorf("read back: %+v %v", d, err)
		}
		// Frozen after seven days.
		e.clock.Set("2026-05-02 10:01")
		if _, err := e.fb.Rate(ctx, hoa, done, good, ""); code(err) != "rating_frozen" {
			t.Errorf("after 7 days: %v", err)
		}
		entries, _ := audit.ForObject(ctx, e.App.DB, "dossier", done)
		var rated []string
		for _, en := range entries {
			if strings.HasPrefix(en.Action, "feedback.") {
				rated = append(rated, en.Action+":"+en.ActorID)
			}
		}
		if strings.Join(rated, ",") != "feedback.rate:citizen:"+hoa.ID+",feedback.rate_change:citizen:"+hoa.ID {
			t.Errorf("audit: %v", rated)
		}
		// The figures: one dissatisfied rating; the dossier counts as
		// disliked for indicator 5.4.
		f, err := e.fb.Satisfaction(ctx, home, time.Date(2026, 4, 1, 0, 0, 0, 0, calendar.Location), time.Date(2026, 5, 1, 0, 0, 0, 0, calendar.Location))
		if err != nil {
			t.Fatal(err)
		}
		if f.Ratings != 1 || f.Dissatisfied != 1 || f.PctSatisfied != 0 || f.Averages[0].Average != 2 || f.Averages[1].Average != 1 || f.Overall != 2 {
			t.Errorf("rating figures: %+v", f)
		}
		if f.DossiersFinished != 1 || f.DossiersDislikedOrPetitioned != 1 || f.DossiersLate != 0 || f.DossierSatisfactionRate != 0 {
			t.Errorf("dossier figures: %+v", f)
		}
		if f.Petitions != 0 || f.PetitionOnTimeRate != 100 || f.PetitionSatisfactionRate != 100 {
			t.Errorf("no petitions: %+v", f)
		}
		// A petition about one's own dossier; not about someone else's.
		if _, err := e.fb.Submit(ctx, feedback.Submission{Agency: home, Citizen: &nam, Topic: feedback.TopicProcedure, Body: "Hồ sơ này không phải của tôi.", DossierCode: done}); code(err) != "dossier_not_found" {
			t.Errorf("petition about another's dossier: %v", err)
		}
		p, err := e.fb.Submit(ctx, feedback.Submission{Agency: home, Citizen: &hoa, Topic: feedback.TopicProcedure, Body: "Kết quả trả chậm hơn hẹn.", DossierCode: done})
		if err != nil || p.DossierCode != done || p.CitizenID != hoa.ID || p.Phone != "" || p.Name != "Nguyễn Thị Hoa" {
			t.Fatalf("own dossier: %+v %v", p, err)
		}
		if mine, _ := e.fb.Mine(ctx, hoa); len(mine) != 1 {
			t.Errorf("mine: %d", len(mine))
		}
		if _, err := e.fb.MineOne(ctx, nam, p.Code); code(err) != "petition_not_found" {
			t.Errorf("another citizen's petition: %v", err)
		}
	})
}

// On-time and late figures of PAKN, and indicator 5.3's unsatisfactory
// ones: disliked, late or overdue, sent again.
func TestPetitionFigures(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		staff := feedback.Staff{Actor: audit.Actor{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}}, Agency: home}
		submit := func(phone string, follows string) *feedback.Petition {
			t.Helper()
			p, err := e.fb.Submit(ctx, feedback.Submission{Agency: home, Phone: phone, Topic: feedback.TopicProcedure, Body: "Phản ánh để kiểm tra số liệu.", Follows: follows})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		handle := func(p *feedback.Petition, outcome string) {
			t.Helper()
			if _, err := e.fb.Handle(ctx, staff, p.Code, outcome, "Trung tâm trả lời phản ánh của ông/bà như sau."); err != nil {
				t.Fatal(err)
			}
		}
		// Friday 24/04 10:00: answers due 20/05, refusals 29/04.
		onTime, late, overdue, open, refusedLate := submit("0912000001", ""), submit("0912000002", ""), submit("0912000003", ""), submit("0912000004", ""), submit("0912000005", "")
		e.clock.Set("2026-04-30 09:00") // a holiday, after the refusal deadline
		handle(onTime, feedback.StateAnswered)
		handle(refusedLate, feedback.StateRejected)
		if err := e.fb.React(ctx, onTime, feedback.ReactionDislike); err != nil {
			t.Fatal(err)
		}
		if err := e.fb.React(ctx, open, feedback.ReactionLike); code(err) != "petition_not_handled" {
			t.Errorf("react before the answer: %v", err)
		}
		again := submit("0912000001", onTime.Code) // sent again, not satisfied
		if again.Follows != onTime.Code {
			t.Errorf("follows: %q", again.Follows)
		}
		e.clock.Set("2026-05-21 08:00") // after 20/05 17:00
		handle(late, feedback.StateAnswered)
		_ = overdue
		// Judged at 21/05 for April and May: open came in April, again on 30/04.
		f, err := e.fb.Satisfaction(ctx, home, time.Date(2026, 4, 1, 0, 0, 0, 0, calendar.Location), time.Date(2026, 6, 1, 0, 0, 0, 0, calendar.Location))
		if err != nil {
			t.Fatal(err)
		}
		// onTime: on time; late: late; overdue, open: overdue (due 20/05);
		// refusedLate: late (2 working days); again: open, due later.
		if f.Petitions != 6 || f.HandledOnTime != 1 || f.HandledLate != 2 || f.PendingOverdue != 2 || f.PendingOnTime != 1 {
			t.Errorf("standing: %+v", f)
		}
		if f.PetitionsDisliked != 1 || f.PetitionsRecomplained != 1 || f.PetitionsUnsatisfied != 5 || f.ByTopic[feedback.TopicProcedure] != 6 {
			t.Errorf("unsatisfactory: %+v", f)
		}
		if f.PetitionOnTimeRate != 33.33 || f.PetitionSatisfactionRate != 16.67 {
			t.Errorf("rates: 5.2 %v, 5.3 %v", f.PetitionOnTimeRate, f.PetitionSatisfactionRate)
		}
		// The staff list: open ones, the most urgent first.
		list, err := e.fb.List(ctx, home, feedback.ListOpen, 0)
		if err != nil || len(list) != 3 || list[2].Code != again.Code || list[0].Standing(e.clock.Now()) != feedback.StandingOverdue {
			t.Errorf("open list: %v", err)
		}
		if handled, _ := e.fb.List(ctx, home, feedback.ListHandled, 0); len(handled) != 3 {
			t.Errorf("handled list: %d", len(handled))
		}
		// A period before they came: nothing, full marks.
		f, _ = e.fb.Satisfaction(ctx, home, time.Date(2026, 3, 1, 0, 0, 0, 0, calendar.Location), time.Date(2026, 4, 1, 0, 0, 0, 0, calendar.Location))
		if f.Petitions != 0 || f.PetitionOnTimeRate != 100 {
			t.Errorf("empty period: %+v", f)
		}
	})
}
