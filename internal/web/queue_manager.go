package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/vntext"
)

// The manager's board: what is waiting now per group, each counter with
// the number it serves and its officer, the day's figures by group,
// counter and officer, and a period's figures by day with an XLSX or CSV
// export. The part about now refreshes itself from the live events.

// queueManagerRoles may read the board; it changes nothing.
var queueManagerRoles = []string{identity.RoleLeader, identity.RoleAdministrator, identity.RoleSupervisor, identity.RoleCounter}

func queueManagerRoutes(s *Server, route func(string, http.HandlerFunc)) {
	route("GET /queue/manager", s.queueManagerAuth(s.queueManager))
	route("GET /queue/manager/export", s.queueManagerAuth(s.queueManagerExport))
	route("GET /staff/queue/manager", s.staffPage(func(w http.ResponseWriter, r *http.Request, v *staffView) {
		http.Redirect(w, r, "/queue/manager", http.StatusSeeOther)
	}, queueManagerRoles...))
}

// queueManagerAuth is staffPage with the manager's roles; without a
// session, the sign-in page brings one back here.
func (s *Server) queueManagerAuth(h func(w http.ResponseWriter, r *http.Request, v *staffView)) http.HandlerFunc {
	page := s.staffPage(h, queueManagerRoles...)
	return func(w http.ResponseWriter, r *http.Request) {
		if s.sessionFromCookie(r) == nil {
			http.Redirect(w, r, "/staff/login?next="+url.QueryEscape("/staff/queue/manager"), http.StatusSeeOther)
			return
		}
		page(w, r)
	}
}

// qmGroup is a group's line now.
type qmGroup struct {
	Code, Prefix, Name string
	Waiting, Priority  int
	Longest, Estimate  string
	LongestSeconds     int
}

// qmCounter is a counter now.
type qmCounter struct {
	Number          int
	Name            string
	Open            bool
	Current, State  string
	Officer, Groups string
	Held            int
}

// qmRow is a line of figures, its times in words.
type qmRow struct {
	Key, Name                    string
	Issued, Called, Served, Gone int
	AvgWait, MaxWait, AvgService string
}

// qmStats are a period's figures as shown.
type qmStats struct {
	From, To                  string // DD/MM/YYYY
	Total                     qmRow
	Groups, Counters, Officer []qmRow
	Days                      []qmRow
	Tables                    []qmTable
}

// qmTable is one table of figures.
type qmTable struct {
	T           func(string) string
	ID, Caption string
	Rows        []qmRow
	Total       *qmRow // the footer (nil: none)
	Issued      bool   // tickets are issued to groups, not to counters or officers
}

// qmPage is the manager's board.
type qmPage struct {
	Code         string // the centre
	Centre       string
	At           string
	WaitingTotal int
	Groups       []qmGroup
	Counters     []qmCounter
	Today        *qmStats
	Period       *qmStats
	From, To     string // the period's form (YYYY-MM-DD)
	Error, Field string
	ErrorLang    string
	Query        template.URL
	AgencyParam  string

	names map[string]string // group code → letter and name
}

// qmAgency is the centre the board is about: the user's centre; a
// provincial supervisor (or an administrator bound to no agency) may ask
// for another with ?agency=.
func (s *Server) qmAgency(r *http.Request, v *staffView) (string, error) {
	if a := r.URL.Query().Get("agency"); a != "" && (v.Has(identity.RoleSupervisor) || v.User.Agency == "") {
		if !vntext.Valid(a) || len(a) > 64 {
			return "", apperr.Field("agency", "unknown_agency", "Không có trung tâm này.")
		}
		if _, err := s.Org.Get(r.Context(), a); err != nil {
			return "", apperr.Field("agency", "unknown_agency", "Không có trung tâm này.")
		}
		return a, nil
	}
	return s.queueCentre(r.Context(), v.User.Agency), nil
}

// GET /queue/manager[?from=&to=][&part=live]
func (s *Server) queueManager(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, err := s.qmAgency(r, v)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	pg, err := s.qmNow(r.Context(), v, agency)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	if a := r.URL.Query().Get("agency"); a != "" && a == agency {
		pg.AgencyParam = a
	}
	status := http.StatusOK
	from, to, perr := s.qmPeriod(r)
	pg.From, pg.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	if q := r.URL.Query(); perr != nil {
		// Show what was typed, and the problem beside it.
		pg.From, pg.To = q.Get("from"), q.Get("to")
	}
	if perr == nil {
		var st *queue.Stats
		st, perr = s.Queue.Stats(r.Context(), agency, from, to)
		if perr == nil {
			pg.Period = qmFigures(v, st, true, pg.names)
		}
	}
	if perr != nil {
		e := apperr.As(perr)
		if e.Kind == apperr.Internal {
			s.staffFail(w, r, v, perr)
			return
		}
		pg.Error, pg.Field, status = qcErrText(v.view, e), e.Field, e.Status()
		if v.Lang != "vi" && pg.Error == e.Message {
			pg.ErrorLang = "vi"
		}
	}
	qq := url.Values{"from": {pg.From}, "to": {pg.To}}
	if pg.AgencyParam != "" {
		qq.Set("agency", pg.AgencyParam)
	}
	pg.Query = template.URL(qq.Encode())
	if r.URL.Query().Get("part") == "live" {
		v.Title, v.Data = v.T("qm.title"), pg
		s.renderLayout(w, r, status, "queue_manager", "qm_live", v, v.view)
		return
	}
	s.renderStaff(w, r, status, "queue_manager", v, v.T("qm.title"), pg)
}

// qmNow reads the line, the counters and the day's figures.
func (s *Server) qmNow(ctx context.Context, v *staffView, agency string) (*qmPage, error) {
	pg := &qmPage{Code: agency, Centre: agency}
	if a, err := s.Org.Get(ctx, agency); err == nil {
		pg.Centre = a.Name
		if a.Centre.Name != "" {
			pg.Centre = a.Centre.Name
		}
	}
	now := s.Now()
	pg.At = now.In(calendar.Location).Format("15:04:05")
	board, err := s.Queue.Board(ctx, agency)
	if err != nil {
		return nil, err
	}
	groups, err := s.Queue.Groups(ctx, agency, true)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, g := range groups {
		names[g.Code] = g.Prefix + " – " + qGroupName(v.view, g)
	}
	waiting, err := s.Queue.Waiting(ctx, agency, nil, 500)
	if err != nil {
		return nil, err
	}
	oldest, prio := map[string]time.Time{}, map[string]int{}
	for _, t := range waiting {
		if o, ok := oldest[t.Group]; !ok || t.CreatedAt.Before(o) {
			oldest[t.Group] = t.CreatedAt
		}
		if t.Priority != "" {
			prio[t.Group]++
		}
	}
	for _, bg := range board.Waiting {
		g := qmGroup{Code: bg.Code, Prefix: bg.Prefix, Name: names[bg.Code], Waiting: bg.Waiting, Priority: prio[bg.Code], Longest: "—", Estimate: "—"}
		if o, ok := oldest[bg.Code]; ok && bg.Waiting > 0 {
			g.LongestSeconds = int(now.Sub(o).Seconds())
			g.Longest = qDuration(v.view, g.LongestSeconds, false)
		}
		if bg.Waiting > 0 {
			g.Estimate = qDuration(v.view, bg.EstimatedWait, false)
		}
		pg.WaitingTotal += bg.Waiting
		pg.Groups = append(pg.Groups, g)
	}
	counters, err := s.Queue.Counters(ctx, agency)
	if err != nil {
		return nil, err
	}
	seated := map[int][]string{}
	if users, err := s.Staff.Users(ctx, agency); err == nil {
		for _, u := range users {
			if u.Counter > 0 && !u.Disabled {
				seated[u.Counter] = append(seated[u.Counter], u.FullName)
			}
		}
	}
	for _, c := range counters {
		qc := qmCounter{Number: c.Number, Name: c.Name, Open: c.Open}
		cur, held, err := s.Queue.AtCounter(ctx, agency, c.Number)
		if err != nil {
			return nil, err
		}
		qc.Held = len(held)
		if cur != nil {
			qc.Current, qc.State, qc.Officer = cur.Label, cur.State, cur.OfficerName
		}
		if qc.Officer == "" {
			qc.Officer = qmJoin(seated[c.Number])
		}
		var gs []string
		for _, g := range c.Groups {
			if n := names[g]; n != "" {
				gs = append(gs, n)
			}
		}
		qc.Groups = qmJoin(gs)
		if len(c.Groups) == 0 {
			qc.Groups = v.T("qc.serves_all")
		}
		pg.Counters = append(pg.Counters, qc)
	}
	st, err := s.Queue.Stats(ctx, agency, now, now)
	if err != nil {
		return nil, err
	}
	pg.Today = qmFigures(v, st, false, names)
	pg.names = names
	return pg, nil
}

func qmJoin(ns []string) string {
	out := ""
	for i, n := range ns {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// qmPeriod reads from/to (local dates, inclusive); by default the month
// so far.
func (s *Server) qmPeriod(r *http.Request) (time.Time, time.Time, error) {
	now := s.Now().In(calendar.Location)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, calendar.Location)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.Location)
	q := r.URL.Query()
	var err error
	if v := q.Get("from"); v != "" {
		if from, err = time.ParseInLocation(time.DateOnly, v, calendar.Location); err != nil {
			return from, to, apperr.Field("from", "invalid_date", "Ngày bắt đầu không hợp lệ: nhập ngày dạng NNNN-TT-NN, ví dụ "+now.Format(time.DateOnly)+".")
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = time.ParseInLocation(time.DateOnly, v, calendar.Location); err != nil {
			return from, to, apperr.Field("to", "invalid_date", "Ngày kết thúc không hợp lệ: nhập ngày dạng NNNN-TT-NN, ví dụ "+now.Format(time.DateOnly)+".")
		}
	}
	if to.Before(from) {
		return from, to, apperr.Field("to", "invalid_period", "Ngày kết thúc phải từ ngày bắt đầu trở đi.")
	}
	return from, to, nil
}

// qmFigures turns the service's figures into rows to show.
func qmFigures(v *staffView, st *queue.Stats, days bool, names map[string]string) *qmStats {
	row := func(f queue.Figures) qmRow {
		return qmRow{Key: f.Key, Name: f.Name, Issued: f.Issued, Called: f.Called, Served: f.Served, Gone: f.NoShow,
			AvgWait: qDuration(v.view, f.AvgWaitSeconds, true), MaxWait: qDuration(v.view, f.MaxWaitSeconds, true),
			AvgService: qDuration(v.view, f.AvgServiceSeconds, true)}
	}
	out := &qmStats{From: qmDay(st.From), To: qmDay(st.To), Total: row(st.Total)}
	out.Total.Name = v.T("qm.total")
	for _, f := range st.Groups {
		r := row(f)
		if n := names[f.Key]; n != "" {
			r.Name = n
		}
		out.Groups = append(out.Groups, r)
	}
	for _, f := range st.Counters {
		r := row(f)
		if n, err := strconv.Atoi(f.Key); err == nil {
			r.Name = fmt.Sprintf(v.T("qm.counter_n"), n)
		}
		out.Counters = append(out.Counters, r)
	}
	for _, f := range st.Officers {
		out.Officer = append(out.Officer, row(f))
	}
	if days {
		for _, f := range st.Days {
			r := row(f)
			if t, err := time.Parse(time.DateOnly, f.Key); err == nil {
				r.Name = qmWeekday(v, t) + " " + t.Format("02/01/2006")
			}
			out.Days = append(out.Days, r)
		}
		span := out.From + " – " + out.To
		out.Tables = []qmTable{
			{T: v.T, ID: "qm-days", Caption: v.T("qm.by_day") + " " + span, Rows: out.Days, Total: &out.Total, Issued: true},
			{T: v.T, ID: "qm-period-groups", Caption: v.T("qm.by_group") + " " + span, Rows: out.Groups, Total: &out.Total, Issued: true},
			{T: v.T, ID: "qm-period-counters", Caption: v.T("qm.by_counter") + " " + span, Rows: out.Counters},
			{T: v.T, ID: "qm-period-officers", Caption: v.T("qm.by_officer") + " " + span, Rows: out.Officer},
		}
	} else {
		out.Tables = []qmTable{
			{T: v.T, ID: "qm-today-groups", Caption: v.T("qm.by_group"), Rows: out.Groups, Total: &out.Total, Issued: true},
			{T: v.T, ID: "qm-today-counters", Caption: v.T("qm.by_counter"), Rows: out.Counters},
			{T: v.T, ID: "qm-today-officers", Caption: v.T("qm.by_officer"), Rows: out.Officer},
		}
	}
	return out
}

func qmDay(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("02/01/2006")
	}
	return d
}

func qmWeekday(v *staffView, t time.Time) string {
	if v.Lang == "vi" {
		return weekdayVN(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, calendar.Location))
	}
	return t.Weekday().String()[:3]
}

// GET /queue/manager/export?from=&to=&format=xlsx|csv — the period's
// figures: by day, group, counter and officer.
func (s *Server) queueManagerExport(w http.ResponseWriter, r *http.Request, v *staffView) {
	format := r.URL.Query().Get("format")
	if format != "xlsx" && format != "csv" {
		s.staffFail(w, r, v, apperr.Field("format", "invalid_format", "Định dạng tải về phải là xlsx hoặc csv."))
		return
	}
	agency, err := s.qmAgency(r, v)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	from, to, err := s.qmPeriod(r)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	st, err := s.Queue.Stats(r.Context(), agency, from, to)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	groups, _ := s.Queue.Groups(r.Context(), agency, true)
	sections := qmSections(v, st, groups)
	name := fmt.Sprintf("hang-cho_%s_%s", st.From, st.To)
	if format == "csv" {
		var buf bytes.Buffer
		buf.WriteString("\ufeff") // Excel reads UTF-8 with its mark
		cw := csv.NewWriter(&buf)
		cw.Write(append([]string{v.T("qm.section")}, qmHead(v)...))
		for _, sec := range sections {
			for _, row := range sec.Rows {
				cw.Write(append([]string{sec.Title}, row...))
			}
		}
		cw.Flush()
		sendPrinted(w, &dossier.Printed{Body: buf.Bytes(), ContentType: "text/csv; charset=utf-8", Filename: name + ".csv"}, true)
		return
	}
	b, err := qmXLSX(v, st, sections)
	if err != nil {
		s.staffFail(w, r, v, apperr.Wrap(err, "queue stats xlsx"))
		return
	}
	sendPrinted(w, &dossier.Printed{Body: b, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Filename: name + ".xlsx"}, true)
}

// qmSection is one table of the export.
type qmSection struct {
	Title string
	Rows  [][]string
}

// qmHead are the export's columns after the name.
func qmHead(v *staffView) []string {
	return []string{v.T("qm.name"), v.T("qm.issued"), v.T("qm.called"), v.T("qm.served"), v.T("qm.no_show"),
		v.T("qm.avg_wait_s"), v.T("qm.max_wait_s"), v.T("qm.avg_service_s")}
}

func qmSections(v *staffView, st *queue.Stats, groups []queue.Group) []qmSection {
	names := map[string]string{}
	for _, g := range groups {
		names[g.Code] = g.Prefix + " – " + qGroupName(v.view, g)
	}
	line := func(name string, f queue.Figures) []string {
		return []string{name, strconv.Itoa(f.Issued), strconv.Itoa(f.Called), strconv.Itoa(f.Served), strconv.Itoa(f.NoShow),
			strconv.Itoa(f.AvgWaitSeconds), strconv.Itoa(f.MaxWaitSeconds), strconv.Itoa(f.AvgServiceSeconds)}
	}
	total := qmSection{Title: v.T("qm.total")}
	total.Rows = append(total.Rows, line(qmDay(st.From)+" – "+qmDay(st.To), st.Total))
	days := qmSection{Title: v.T("qm.by_day")}
	for _, f := range st.Days {
		days.Rows = append(days.Rows, line(qmDay(f.Key), f))
	}
	byGroup := qmSection{Title: v.T("qm.by_group")}
	for _, f := range st.Groups {
		n := names[f.Key]
		if n == "" {
			n = f.Name
		}
		byGroup.Rows = append(byGroup.Rows, line(n, f))
	}
	byCounter := qmSection{Title: v.T("qm.by_counter")}
	for _, f := range st.Counters {
		n, _ := strconv.Atoi(f.Key)
		byCounter.Rows = append(byCounter.Rows, line(fmt.Sprintf(v.T("qm.counter_n"), n), f))
	}
	byOfficer := qmSection{Title: v.T("qm.by_officer")}
	for _, f := range st.Officers {
		byOfficer.Rows = append(byOfficer.Rows, line(f.Name, f))
	}
	return []qmSection{total, days, byGroup, byCounter, byOfficer}
}

// qmXLSX writes the sections as one worksheet each, numbers as numbers.
func qmXLSX(v *staffView, st *queue.Stats, sections []qmSection) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	head, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE3EA"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return nil, err
	}
	title, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	if err != nil {
		return nil, err
	}
	cols := qmHead(v)
	for i, sec := range sections {
		sheet := sec.Title
		if len([]rune(sheet)) > 31 {
			sheet = string([]rune(sheet)[:31])
		}
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sheet); err != nil {
				return nil, err
			}
		} else if _, err := x.NewSheet(sheet); err != nil {
			return nil, err
		}
		x.SetCellValue(sheet, "A1", fmt.Sprintf("%s: %s – %s", v.T("qm.title"), qmDay(st.From), qmDay(st.To)))
		x.SetCellStyle(sheet, "A1", "A1", title)
		for c, h := range cols {
			cell, _ := excelize.CoordinatesToCellName(c+1, 3)
			x.SetCellValue(sheet, cell, h)
			x.SetCellStyle(sheet, cell, cell, head)
		}
		for r, row := range sec.Rows {
			for c, val := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+4)
				if n, err := strconv.Atoi(val); err == nil && c > 0 {
					x.SetCellValue(sheet, cell, n)
				} else {
					x.SetCellValue(sheet, cell, val)
				}
			}
		}
		x.SetColWidth(sheet, "A", "A", 34)
		x.SetColWidth(sheet, "B", "H", 14)
		x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"})
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
