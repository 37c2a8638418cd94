package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// HistorySummary counts the demo's dossiers by national status.
type HistorySummary struct {
	Dossiers int
	ByStatus map[int]int
}

// mix is how often each procedure is filed at a commune centre, per
// working day. Certified copies dominate, as at every centre.
var mix = []struct {
	code   string
	perDay float64
}{
	{"2.000815", 7}, {"2.000884", 2}, {"1.001193", 2}, {"1.004873", 2}, {"2.000635", 1.5},
	{"1.000656", 0.6}, {"1.000894", 0.8}, {"1.004222", 1.2}, {"1.004194", 1}, {"1.002755", 0.3},
	{"1.001612", 0.4}, {"LOCAL.hkd-cap-lai", 0.15}, {"LOCAL.hkd-thay-doi-noi-dung", 0.2}, {"LOCAL.chung-thuc-hop-dong", 0.6},
	{"1.014027", 0.3}, {"1.001776", 0.2}, {"1.004859", 0.3}, {"LT.63.khai-sinh", 0.4}, {"LT.63.khai-tu", 0.15},
	{"1.001699", 0.05}, {"1.011607", 0.05}, {"1.003677", 0.1}, {"1.010038", 0.1}, {"2.000908", 0.2},
}

type staffSet map[string][]*identity.Principal

// SeedHistory fills the demo commune with a year of dossiers up to now,
// through the engine itself: received online and at the counter,
// processed by the demo staff, mostly on time, some supplemented,
// apologised for, refused, stopped or withdrawn; the last weeks' dossiers
// are still in every state. The same seed gives the same year.
func SeedHistory(ctx context.Context, db *store.DB, eng *dossier.Engine, cat *catalog.Catalog, now time.Time) (HistorySummary, error) {
	return SeedHistoryScaled(ctx, db, eng, cat, now, 1, 1)
}

// SeedHistoryScaled is SeedHistory over several years at scale times the
// commune's daily volume — a merged commune or a province instance, for
// benchmarks against hundreds of thousands of dossiers.
func SeedHistoryScaled(ctx context.Context, db *store.DB, eng *dossier.Engine, cat *catalog.Catalog, now time.Time, years int, scale float64) (HistorySummary, error) {
	c, err := LoadCommune()
	if err != nil {
		return HistorySummary{}, err
	}
	staff := staffSet{}
	for i, s := range c.Staff {
		p := &identity.Principal{ID: fmt.Sprintf("u%03d", i+1), Name: s.FullName, Roles: s.Roles, Agency: s.Agency}
		for _, r := range s.Roles {
			staff[r] = append(staff[r], p)
		}
	}
	people, err := adults(ctx, db, now)
	if err != nil {
		return HistorySummary{}, err
	}
	if len(people) == 0 {
		return HistorySummary{}, fmt.Errorf("demo: no residents to file dossiers")
	}
	r := rand.New(rand.NewPCG(16072, 766))
	cal := eng.Calendar()
	sum := HistorySummary{ByStatus: map[int]int{}}
	start := now.In(calendar.Location).AddDate(-max(years, 1), 0, 0)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, calendar.Location)
	var plans []*plan
	for ; day.Before(now); day = day.AddDate(0, 0, 1) {
		if !cal.IsWorkingDay(day) {
			continue
		}
		for _, m := range mix {
			p, ok := cat.Get(m.code)
			if !ok {
				continue
			}
			for n := poisson(r, m.perDay*scale); n > 0; n-- {
				pl := newPlan(r, p, people, day, now)
				if pl != nil {
					plans = append(plans, pl)
				}
			}
		}
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i].at.Before(plans[j].at) })
	// Submit in time order, a day at a time, so codes follow the clock.
	for i := 0; i < len(plans); {
		j := i
		for j < len(plans) && sameDay(plans[j].at, plans[i].at) {
			j++
		}
		dayPlans := plans[i:j]
		if err := eng.Batch(ctx, func(b *dossier.Batch) error {
			for _, pl := range dayPlans {
				if err := pl.run(b, r, staff, cal, now); err != nil {
					return fmt.Errorf("demo dossier %s on %s: %w", pl.proc.Code, pl.at.Format(time.DateOnly), err)
				}
			}
			return nil
		}); err != nil {
			return sum, err
		}
		for _, pl := range dayPlans {
			if pl.code != "" {
				sum.Dossiers++
				sum.ByStatus[pl.status]++
			}
		}
		i = j
	}
	return sum, nil
}

func sameDay(a, b time.Time) bool {
	return a.In(calendar.Location).Format(time.DateOnly) == b.In(calendar.Location).Format(time.DateOnly)
}

func poisson(r *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

type person struct {
	name, id, phone, village string
}

func adults(ctx context.Context, db *store.DB, now time.Time) ([]person, error) {
	cut := now.AddDate(-18, 0, 0).Format(time.DateOnly)
	rows, err := db.Read().QueryContext(ctx, `SELECT r.full_name, r.id_number, r.phone, v.name FROM sandbox_residents r
		JOIN villages v ON v.agency_code = r.agency_code AND v.code = r.village_code WHERE r.birth_date <= $1 ORDER BY r.id_number`, cut)
	if err != nil {
		return nil, fmt.Errorf("demo: residents: %w", err)
	}
	defer rows.Close()
	var out []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.name, &p.id, &p.phone, &p.village); err != nil {
			return nil, fmt.Errorf("demo: residents: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// plan is one demo dossier: who files what, when, and how it will go.
type plan struct {
	proc    *catalog.Procedure
	ver     *catalog.Version
	who     person
	at      time.Time
	channel catalog.Channel
	fate    string // normal, late, apology, supplement, supplement2, withdraw, refuse_reception, guide, stop, refuse
	speed   float64
	code    string
	status  int
}

func newPlan(r *rand.Rand, p *catalog.Procedure, people []person, day, now time.Time) *plan {
	// Office hours mostly; online filings any time of the day.
	v, ok := p.VersionAt(day)
	if !ok {
		return nil
	}
	pl := &plan{proc: p, ver: v, who: people[r.IntN(len(people))], channel: catalog.ChannelInPerson, speed: 0.3 + r.Float64()*0.6}
	if v.HasChannel(catalog.ChannelOnline) && r.Float64() < 0.9 {
		pl.channel = catalog.ChannelOnline
	}
	minute := 7*60 + 35 + r.IntN(8*60)
	if minute >= 11*60+30 && minute < 13*60 {
		minute += 90
	}
	if pl.channel == catalog.ChannelOnline {
		minute = 6*60 + r.IntN(16*60)
	}
	pl.at = day.Add(time.Duration(minute) * time.Minute)
	if !pl.at.Before(now) {
		return nil
	}
	switch x := r.Float64(); {
	case x < 0.04:
		pl.fate = "supplement"
	case x < 0.05:
		pl.fate = "supplement2"
	case x < 0.07:
		pl.fate = "apology"
	case x < 0.085:
		pl.fate = "late"
	case x < 0.095:
		pl.fate = "withdraw"
	case x < 0.105:
		pl.fate = "guide"
	case x < 0.112:
		pl.fate = "refuse_reception"
	case x < 0.116:
		pl.fate = "stop"
	case x < 0.12:
		pl.fate = "refuse"
	default:
		pl.fate = "normal"
	}
	return pl
}

// request builds the submission: every required component, the e-form
// filled from the applicant, data reused where the catalogue allows.
func (pl *plan) request(r *rand.Rand) dossier.SubmitRequest {
	req := dossier.SubmitRequest{
		Procedure: pl.proc.Code, Channel: pl.channel,
		Applicant: dossier.Applicant{Name: pl.who.name, IDNumber: pl.who.id, Phone: pl.who.phone, Address: "Thôn " + pl.who.village + ", xã Hoa Lộc, tỉnh Thanh Hóa"},
		Form:      map[string]any{}, EID: pl.channel == catalog.ChannelOnline && r.Float64() < 0.95, PopulationLookup: r.Float64() < 0.8,
	}
	if pl.channel != catalog.ChannelInPerson {
		req.Decision = dossier.DecisionSubmit
	}
	for _, c := range pl.ver.Components {
		if !c.Required && r.Float64() > 0.15 {
			continue
		}
		in := dossier.ComponentInput{ID: c.ID, Files: 1}
		if len(c.Reuse) > 0 && r.Float64() < 0.85 {
			in.Source, in.Files = string(c.Reuse[0]), 0
		} else if r.Float64() < 0.05 {
			in.Files = 0 // not scanned
		}
		req.Components = append(req.Components, in)
	}
	for _, f := range pl.ver.Form {
		if !f.Required && r.Float64() < 0.5 {
			continue
		}
		req.Form[f.ID] = fieldValue(r, f, pl.who)
	}
	return req
}

func fieldValue(r *rand.Rand, f catalog.Field, who person) any {
	switch f.Prefill {
	case "full_name":
		return who.name
	case "id_number":
		return who.id
	case "phone":
		if who.phone != "" {
			return who.phone
		}
		return "0912000000"
	case "permanent_address", "current_address", "address":
		return "Thôn " + who.village + ", xã Hoa Lộc, tỉnh Thanh Hóa"
	}
	switch f.Type {
	case catalog.FieldDate:
		return time.Date(1950+r.IntN(70), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	case catalog.FieldIDNumber:
		return who.id
	case catalog.FieldPhone:
		return "0912000000"
	case catalog.FieldEmail:
		return "congdan@example.vn"
	case catalog.FieldNumber:
		return float64(1 + r.IntN(3))
	case catalog.FieldCheckbox:
		return r.IntN(2) == 0
	case catalog.FieldSelect:
		return f.Options[r.IntN(len(f.Options))].Value
	}
	low := strings.ToLower(f.Label)
	switch {
	case strings.Contains(low, "họ") && strings.Contains(low, "tên"):
		return who.name
	case strings.Contains(low, "nơi") || strings.Contains(low, "địa chỉ"):
		return "Thôn " + who.village + ", xã Hoa Lộc"
	}
	return "Nội dung khai: " + f.Label
}

func pick(r *rand.Rand, ps []*identity.Principal) *identity.Principal {
	return ps[r.IntN(len(ps))]
}

// run files the dossier and takes it as far as time allows.
func (pl *plan) run(b *dossier.Batch, r *rand.Rand, staff staffSet, cal *calendar.Calendar, now time.Time) error {
	desk := pick(r, staff[identity.RoleCounter])
	req := pl.request(r)
	t := pl.at
	switch pl.fate {
	case "guide":
		if pl.channel == catalog.ChannelInPerson {
			req.Decision = dossier.DecisionGuide
			req.Reasons = []string{"Tờ khai chưa ghi đủ thông tin; đề nghị kê khai lại theo mẫu."}
		}
	case "refuse_reception":
		if pl.channel == catalog.ChannelInPerson {
			req.Decision = dossier.DecisionRefuse
			req.Reasons = []string{"Yêu cầu không thuộc thẩm quyền giải quyết của UBND xã; đã hướng dẫn đến cơ quan có thẩm quyền."}
		}
	}
	res, err := b.Submit(desk, req, t)
	if err != nil {
		return err
	}
	pl.code, pl.status = res.Dossier.Code, res.Dossier.Status
	step := func(p *identity.Principal, ar dossier.ActionRequest, after time.Duration) (bool, error) {
		t = cal.ShiftWorkingMinutes(t, int(after.Minutes()))
		if !t.Before(now) {
			return false, nil
		}
		out, err := b.Act(p, pl.code, ar, t)
		if err != nil {
			return false, fmt.Errorf("%s: %w", ar.Action, err)
		}
		pl.status = out.Dossier.Status
		return true, nil
	}
	wait := func(m float64) time.Duration { return time.Duration(m*pl.speed) * time.Minute }
	if pl.channel != catalog.ChannelInPerson {
		if pl.fate == "refuse_reception" {
			_, err := step(desk, dossier.ActionRequest{Action: dossier.ActionRefuse, Reasons: []string{"Hồ sơ không đúng thủ tục cần thực hiện; đã hướng dẫn công dân nộp đúng thủ tục."}}, wait(60))
			return err
		}
		if pl.fate == "guide" {
			if ok, err := step(desk, dossier.ActionRequest{Action: dossier.ActionRequestSupplement, Reasons: []string{"Ảnh chụp giấy tờ bị mờ, đề nghị chụp lại."}}, wait(60)); !ok || err != nil {
				return err
			}
			if ok, err := step(desk, dossier.ActionRequest{Action: dossier.ActionSupplementReceived}, wait(600)); !ok || err != nil {
				return err
			}
		}
		if ok, err := step(desk, dossier.ActionRequest{Action: dossier.ActionReceive}, wait(90)); !ok || err != nil {
			return err
		}
	} else if pl.fate == "refuse_reception" {
		return nil
	} else if pl.fate == "guide" {
		if ok, err := step(desk, dossier.ActionRequest{Action: dossier.ActionReceive}, wait(1440)); !ok || err != nil {
			return err
		}
	}
	if pl.ver.Fee.HasFee() && pl.channel == catalog.ChannelOnline {
		// Fees of online dossiers are paid online, mostly.
		if ok, err := step(desk, dossier.ActionRequest{Action: dossier.ActionRequestPayment, Amount: max(feeOf(pl.ver), 1000)}, wait(10)); !ok || err != nil {
			return err
		}
		if ok, err := step(desk, dossier.ActionRequest{Action: dossier.ActionPaymentReceived, Online: r.Float64() < 0.85}, wait(120)); !ok || err != nil {
			return err
		}
	}
	wf := pl.ver.WorkflowDef
	// The time left to the promised date, from where the dossier stands now
	// (after reception and payment): the staff share it out by step and,
	// unless the dossier is meant to be late, finish within it, as most
	// of Hoa Lộc's dossiers are (over 98% on time).
	due := cal.AddWorkingDays(pl.at, max(1, durationDays(pl.ver.Time)))
	if d, err := cal.Due(pl.at, pl.ver.Time); err == nil {
		due = d
	}
	total := float64(max(30, cal.WorkingMinutesBetween(t, due)))
	late := pl.fate == "late" || pl.fate == "apology"
	stepTime := func(share float64) time.Duration {
		m := total * share * pl.speed
		if late {
			m = total * share * 1.6
		}
		return time.Duration(m) * time.Minute
	}
	state := wf.StartState()
	if now.Sub(pl.at) < 4*time.Hour && pl.at.Minute()%2 == 0 {
		return nil // just received: still at the desk, waiting to be handed on
	}
	supplemented := 0
	apologized := false
	for !state.Terminal {
		acts := wf.ActionsFrom(state.ID)
		var next *catalog.Action
		for i := range acts {
			if acts[i].ID != "send_back" {
				next = &acts[i]
				break
			}
		}
		if next == nil {
			return fmt.Errorf("no way forward from %s", state.ID)
		}
		to, _ := wf.State(next.To)
		if state.Status == 4 || state.Status == 2 && state.ID != wf.StartState().ID {
			switch {
			case (pl.fate == "supplement" || pl.fate == "supplement2") && supplemented == 0,
				pl.fate == "supplement2" && supplemented == 1:
				actor := actorFor(r, staff, state.Roles)
				if ok, err := step(actor, dossier.ActionRequest{Action: dossier.ActionRequestSupplement, Reasons: []string{"Bổ sung bản sao giấy tờ chứng minh nhân thân của người được đăng ký."}}, stepTime(0.2)); !ok || err != nil {
					return err
				}
				supplemented++
				// Citizens take from a few hours to a week to bring what was asked.
				if ok, err := step(desk, dossier.ActionRequest{Action: dossier.ActionSupplementReceived}, time.Duration(240+r.IntN(2400))*time.Minute); !ok || err != nil {
					return err
				}
			case pl.fate == "withdraw":
				_, err := step(desk, dossier.ActionRequest{Action: dossier.ActionWithdraw, Reasons: []string{"Công dân xin rút hồ sơ để bổ sung sau."}}, stepTime(0.2))
				return err
			case pl.fate == "stop" && state.ID != wf.StartState().ID:
				_, err := step(pick(r, staff[identity.RoleLeader]), dossier.ActionRequest{Action: dossier.ActionStop, Reasons: []string{"Người yêu cầu không còn đủ điều kiện theo quy định."}}, stepTime(0.3))
				return err
			case pl.fate == "refuse" && state.ID != wf.StartState().ID:
				_, err := step(pick(r, staff[identity.RoleLeader]), dossier.ActionRequest{Action: dossier.ActionRefuse, Reasons: []string{"Hồ sơ không đủ điều kiện giải quyết theo quy định."}}, stepTime(0.3))
				return err
			case pl.fate == "apology" && !apologized:
				apologized = true
				due := cal.AddWorkingDays(pl.at, max(1, durationDays(pl.ver.Time))+3)
				if ok, err := step(pick(r, staff[identity.RoleLeader]), dossier.ActionRequest{Action: dossier.ActionApologize, NewDue: due.Format(time.RFC3339),
					Reasons: []string{"Cần xác minh thông tin tại nơi cư trú trước đây của người yêu cầu."}}, time.Minute); !ok || err != nil {
					return err
				}
			}
		}
		actor := actorFor(r, staff, next.Roles)
		if actor == nil {
			return fmt.Errorf("no demo staff with roles %v", next.Roles)
		}
		ar := dossier.ActionRequest{Action: next.ID}
		if to.Status == 9 {
			ar.ResultCode = fmt.Sprintf("%d/%d", 1+r.IntN(900), pl.at.Year())
			if pl.ver.Result.Kind != catalog.ResultRecord && r.Float64() < 0.9 {
				ar.ResultFile = "/results/" + pl.code + ".pdf"
			}
		}
		if to.Status == 10 {
			ar.CollectedBy = pl.who.name
			if pl.channel == catalog.ChannelOnline && r.Float64() < 0.6 {
				ar.Method, ar.CollectedBy = "online", ""
			}
		}
		gap := stepTime(state.Share)
		if state.Status == 9 {
			gap = wait(600) // the citizen comes to collect
		}
		if ok, err := step(actor, ar, gap); !ok || err != nil {
			return err
		}
		state = to
	}
	return nil
}

func actorFor(r *rand.Rand, staff staffSet, roles []string) *identity.Principal {
	for _, role := range roles {
		if ps := staff[role]; len(ps) > 0 {
			return pick(r, ps)
		}
	}
	return nil
}

func durationDays(d calendar.Duration) int {
	switch d.Unit {
	case calendar.WorkingHours:
		return max(0, d.Value/8)
	case calendar.CalendarDays:
		return d.Value * 5 / 7
	}
	return d.Value
}

func feeOf(v *catalog.Version) int64 {
	n, _ := v.Fee.Compute(catalog.FeeInput{Channel: catalog.ChannelOnline})
	return n
}
