package web

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/score"
)

// What the 766 pages' templates receive: numbers written the reader's way,
// each chart as bar widths for an inline SVG whose meaning is also in the
// words beside it and in the table behind it.

type s766Option struct {
	Value, Label string
}

func s766Periods(v *staffView) []s766Option {
	return []s766Option{{"year", v.T("s766.period_year")}, {"quarter", v.T("s766.period_quarter")}, {"month", v.T("s766.period_month")}, {"custom", v.T("s766.period_custom")}}
}

func s766Formulas(v *staffView) []s766Option {
	return []s766Option{{score.FormulaCurrent, v.T("s766.formula_current")}, {score.Formula2022, v.T("s766.formula_2022")}}
}

func s766Months(v *staffView) []s766Option {
	out := make([]s766Option, 12)
	for i := range out {
		out[i] = s766Option{strconv.Itoa(i + 1), fmt.Sprintf(v.T("s766.month_n"), i+1)}
	}
	return out
}

func s766Procedures(v *staffView, cat *catalog.Catalog) []s766Option {
	var out []s766Option
	for _, p := range cat.All() {
		out = append(out, s766Option{p.Code, p.Code + " – " + dxPick(v, p.Name, p.NameEn)})
	}
	return out
}

func s766Fields(v *staffView, cat *catalog.Catalog) []s766Option {
	en := map[string]string{}
	for _, p := range cat.All() {
		if p.FieldEn != "" {
			en[p.Field] = p.FieldEn
		}
	}
	var out []s766Option
	for _, f := range cat.Fields() {
		out = append(out, s766Option{f, dxPick(v, f, en[f])})
	}
	return out
}

func s766Num(v *staffView, x float64) string { return dx.FormatNumber(x, 2, v.Lang) }

// s766Ind is one indicator's row.
type s766Ind struct {
	ID, Group, Name, Note, State, StateText     string
	Num, Den, Ratio, Score, Max, Lost, Basis    string
	Computed, Scored, Members, NoData, WorkDays bool
	LostF                                       float64
	Href                                        string // the drill-down, denominator side
	HrefNum                                     string
	Details                                     []s766Option
}

// s766Group is a group's bar.
type s766Group struct {
	ID, Name, Score, Max, Label string
	Pct                         float64 // bar width, 0–100
	Inds                        []s766Ind
}

// s766Losers is how many of the indicators losing points are listed first.
const s766Losers = 5

// s766Index is the index page.
type s766Index struct {
	Total, Max, MaxAvailable, Formula string
	TotalPct, AvailPct                float64
	Groups                            []s766Group
	Losers                            []s766Ind
	NoData, NotApplicable, MoreLosers int
	Filtered                          bool
}

func s766StateText(v *staffView, state string) string {
	switch state {
	case score.StateComputed:
		return v.T("s766.state_computed")
	case score.StateNoData:
		return v.T("s766.state_no_data")
	}
	return v.T("s766.state_na")
}

func s766IndOf(v *staffView, f s766Form, in score.Indicator) s766Ind {
	out := s766Ind{ID: in.ID, Group: in.Group, Name: dxPick(v, in.Name, in.NameEn), Note: in.Note, State: in.State, StateText: s766StateText(v, in.State),
		Num: dx.FormatNumber(float64(in.Numerator), 0, v.Lang), Den: dx.FormatNumber(float64(in.Denominator), 0, v.Lang),
		Score: s766Num(v, in.Score), Max: s766Num(v, in.Max), Computed: in.State == score.StateComputed, Scored: in.Max > 0,
		Members: in.Members && in.State == score.StateComputed, NoData: in.State == score.StateNoData, WorkDays: in.Unit == "working_days"}
	if out.Computed {
		if out.WorkDays {
			out.Ratio = fmt.Sprintf(v.T("s766.working_days"), s766Num(v, in.Ratio))
		} else {
			out.Ratio = s766Num(v, in.Ratio) + "%"
		}
		out.LostF = math.Round((in.Max-in.Score)*100) / 100
		out.Lost = s766Num(v, out.LostF)
	}
	if out.Members {
		q := func(which string) string {
			return "/staff/766/" + url.PathEscape(in.ID) + "?" + f.With("which", which)
		}
		out.Href, out.HrefNum = q(score.Denominator), q(score.Numerator)
	}
	keys := make([]string, 0, len(in.Detail))
	for k := range in.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		label := v.T("s766.detail." + k)
		if label == "s766.detail."+k {
			label = k // a feedback topic: its own code
		}
		out.Details = append(out.Details, s766Option{dx.FormatNumber(float64(in.Detail[k]), 0, v.Lang), label})
	}
	return out
}

// s766Regroup sums indicator scores into the groups of a formula set (the
// ranking is computed with the current set; the 2022 set has the same
// indicators and weights, grouped differently).
func s766Regroup(formula string, inds []score.Indicator) []score.Group {
	fs := score.FormulaSets[formula]
	byID := map[string]score.Indicator{}
	for _, in := range inds {
		byID[in.ID] = in
	}
	var out []score.Group
	for _, g := range fs.Groups {
		grp := score.Group{ID: g.ID, Name: g.Name, NameEn: g.NameEn, Max: g.Max}
		for _, id := range g.Indicators {
			grp.Score += byID[id].Score
		}
		grp.Score = math.Round(grp.Score*100) / 100
		out = append(out, grp)
	}
	return out
}

func pct(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return math.Round(math.Min(100, math.Max(0, a/b*100))*10) / 10
}

func s766IndexOf(v *staffView, f s766Form, x *score.Index) s766Index {
	out := s766Index{Total: s766Num(v, x.Total), Max: s766Num(v, x.Max), MaxAvailable: s766Num(v, x.MaxAvailable),
		TotalPct: pct(x.Total, x.Max), AvailPct: pct(x.MaxAvailable, x.Max), Filtered: f.Procedure != "" || f.Field != ""}
	for _, o := range s766Formulas(v) {
		if o.Value == x.Formula {
			out.Formula = o.Label
		}
	}
	byGroup := map[string][]s766Ind{}
	for _, in := range x.Indicators {
		iv := s766IndOf(v, f, in)
		byGroup[in.Group] = append(byGroup[in.Group], iv)
		switch {
		case iv.Computed && iv.Scored && iv.LostF > 0:
			out.Losers = append(out.Losers, iv)
		case in.State == score.StateNoData:
			out.NoData++
		case in.State == score.StateNotApplicable:
			out.NotApplicable++
		}
	}
	sort.SliceStable(out.Losers, func(i, j int) bool { return out.Losers[i].LostF > out.Losers[j].LostF })
	if len(out.Losers) > s766Losers {
		out.MoreLosers = len(out.Losers) - s766Losers
		out.Losers = out.Losers[:s766Losers]
	}
	for _, g := range x.Groups {
		gv := s766Group{ID: g.ID, Name: dxPick(v, g.Name, g.NameEn), Score: s766Num(v, g.Score), Max: s766Num(v, g.Max), Pct: pct(g.Score, g.Max), Inds: byGroup[g.ID]}
		gv.Label = fmt.Sprintf(v.T("s766.points_of"), gv.Score, gv.Max)
		out.Groups = append(out.Groups, gv)
	}
	return out
}

// s766Member is one dossier of a drill-down.
type s766Member struct {
	Code, Href, Procedure, Channel, Received, Due, Finished string
	Late                                                    bool
	LateReason, Step, Officer, StepDue, StepAt              string
}

type s766MemberList struct {
	Which, Total, PageText string
	Rows                   []s766Member
	Prev, Next             string
	NumHref, DenHref       string
}

func s766When(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(calendar.Location).Format("15:04 02/01/2006")
}

func s766MembersOf(v *staffView, cat *catalog.Catalog, f s766Form, id, which string, page int, mp *score.MemberPage) s766MemberList {
	base := "/staff/766/" + url.PathEscape(id) + "?"
	out := s766MemberList{Which: which, Total: dx.FormatNumber(float64(mp.Total), 0, v.Lang),
		NumHref: base + f.With("which", score.Numerator), DenHref: base + f.With("which", score.Denominator)}
	pages := max(1, (mp.Total+s766MembersPage-1)/s766MembersPage)
	out.PageText = fmt.Sprintf(v.T("s766.page_of"), page, pages)
	link := func(n int) string {
		q := url.Values{}
		for k, vals := range f.Values {
			q[k] = vals
		}
		q.Set("which", which)
		q.Set("page", strconv.Itoa(n))
		return base + q.Encode()
	}
	if page > 1 {
		out.Prev = link(page - 1)
	}
	if page < pages {
		out.Next = link(page + 1)
	}
	for _, m := range mp.Members {
		row := s766Member{Code: m.Code, Href: "/staff/dossiers/" + url.PathEscape(m.Code), Procedure: m.Procedure, Channel: v.T("channel." + m.Channel),
			Received: s766When(&m.ReceivedAt), Due: s766When(m.DueAt), Finished: s766When(m.FinishedAt), Late: m.Late}
		var wf *catalog.Workflow
		if p, ok := cat.Get(m.Procedure); ok {
			row.Procedure = m.Procedure + " – " + dxPick(v, p.Name, p.NameEn)
			if ver, ok := p.VersionAt(m.ReceivedAt); ok {
				wf = ver.WorkflowDef
			}
		}
		if m.Late {
			row.LateReason = v.T("s766.late_" + m.LateReason)
			if ls := m.LateStep; ls != nil && ls.Action == "" && m.FinishedAt != nil {
				// Finished, and no step of its history was late (an imported
				// dossier has none): its current state would say nothing.
				row.Step = v.T("s766.no_late_step")
			} else if ls != nil {
				row.Step = s766StepName(v, wf, ls.State)
				if ls.Action != "" {
					row.Step += " → " + s766ActionName(v, wf, ls.Action)
				}
				row.Officer, row.StepDue, row.StepAt = ls.Officer, s766When(ls.StepDue), s766When(ls.At)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// s766EngineVi are the Vietnamese names of the dossier engine's own states
// and actions (workflow steps name themselves), as its control slip has
// them.
var s766EngineVi = map[string]string{
	"state." + dossier.StateNew: "Chờ tiếp nhận", "state." + dossier.StateGuided: "Đã hướng dẫn bổ sung, hoàn thiện",
	"state." + dossier.StateNotAccepted: "Không được tiếp nhận", "state." + dossier.StateSupplementing: "Chờ công dân bổ sung",
	"state." + dossier.StateAwaitingPayment: "Chờ thực hiện nghĩa vụ tài chính", "state." + dossier.StateWithdrawn: "Đã rút hồ sơ",
	"state." + dossier.StateStopped: "Dừng xử lý", "state." + dossier.StateRefused: "Từ chối giải quyết",
	"action." + dossier.ActionReceive: "Tiếp nhận hồ sơ", "action." + dossier.ActionRequestSupplement: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
	"action." + dossier.ActionSupplementReceived: "Nhận hồ sơ bổ sung", "action." + dossier.ActionRefuse: "Từ chối",
	"action." + dossier.ActionRequestPayment: "Yêu cầu thực hiện nghĩa vụ tài chính", "action." + dossier.ActionPaymentReceived: "Đã thực hiện nghĩa vụ tài chính",
	"action." + dossier.ActionStop: "Dừng giải quyết", "action." + dossier.ActionWithdraw: "Rút hồ sơ theo yêu cầu",
	"action." + dossier.ActionApologize: "Xin lỗi và hẹn lại ngày trả kết quả", "action." + dossier.ActionComplete: "Hoàn thành xử lý",
	"action." + dossier.ActionReturnResult: "Trả kết quả", "action." + dossier.ActionTake: "Nhận xử lý", "action." + dossier.ActionRelease: "Trả lại hộp việc chung",
}

func s766Engine(v *staffView, key string) (string, bool) {
	m := s766EngineVi
	if v.Lang == "en" {
		m = lifecycleEn
	}
	s, ok := m[key]
	return s, ok
}

func s766StepName(v *staffView, wf *catalog.Workflow, state string) string {
	if s, ok := s766Engine(v, "state."+state); ok {
		return s
	}
	if wf != nil {
		if st, ok := wf.State(state); ok {
			return dxPick(v, st.Name, st.NameEn)
		}
	}
	return state
}

func s766ActionName(v *staffView, wf *catalog.Workflow, action string) string {
	if s, ok := s766Engine(v, "action."+action); ok {
		return s
	}
	if wf != nil {
		if a, ok := wf.Action(action); ok {
			return dxPick(v, a.Name, a.NameEn)
		}
	}
	return action
}

// s766Rank is a commune's row in the province's ranking.
type s766Rank struct {
	Rank                int
	Agency, Name, Href  string
	Total, MaxAvailable string
	TotalPct            float64
	Groups              []s766Option // score per group, in order
}

type s766Ranking struct {
	Groups []s766Option // id, name
	Rows   []s766Rank
}

func s766RankingOf(v *staffView, f s766Form, rows []score.RankRow) s766Ranking {
	var out s766Ranking
	for _, g := range score.FormulaSets[f.Formula].Groups {
		out.Groups = append(out.Groups, s766Option{g.ID, dxPick(v, g.Name, g.NameEn) + " (" + s766Num(v, g.Max) + ")"})
	}
	for _, r := range rows {
		rv := s766Rank{Rank: r.Rank, Agency: r.Agency, Name: r.Name, Total: s766Num(v, r.Total), MaxAvailable: s766Num(v, r.MaxAvailable), TotalPct: pct(r.Total, 100),
			Href: "/staff/766?" + f.With("agency", r.Agency)}
		if rv.Name == "" {
			rv.Name = r.Agency
		}
		if r.Index != nil {
			for _, g := range s766Regroup(f.Formula, r.Index.Indicators) {
				rv.Groups = append(rv.Groups, s766Option{g.ID, s766Num(v, g.Score)})
			}
		}
		out.Rows = append(out.Rows, rv)
	}
	return out
}

func init() {
	// s766Seq is 1…n, for a select's options.
	funcs["s766Seq"] = func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	}
}
