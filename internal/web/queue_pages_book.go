package web

import (
	"context"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/queue"
)

// Online booking: a citizen chooses a service group, a working day and a
// time with free places, gives a name and a mobile number, and gets a
// booking code to enter at the kiosk on the day. The booking's page (its
// code is the key) shows it and cancels it with the phone number. Plain
// forms: no JavaScript needed.

// qpBookPage is the booking form.
type qpBookPage struct {
	FormToken string
	Groups    []qpKioskGroup
	Days      []qpBookDay
	Group     string
	Date      string
	GroupName string
	DateLabel string
	Chosen    bool
	Slots     []qpBookSlot
	AnyFree   bool
	At        string
	Name      string
	Phone     string
	Error     *qpError
}

type qpBookDay struct{ Value, Label string }

type qpBookSlot struct {
	Value, Label, FreeText string
	Free                   int
}

// qpDayLabel is a date in words: "Thứ Hai, 30/11/2026".
func qpDayLabel(v *view, t time.Time) string {
	t = t.In(calendar.Location)
	if v.Lang == "en" {
		return t.Format("Monday, 02/01/2006")
	}
	return weekdayVN(t) + ", " + t.Format("02/01/2006")
}

// qpBookData fills the form: the groups, the days one may book, and the
// slots of the chosen group and day.
func (s *Server) qpBookData(ctx context.Context, v *view, pg *qpBookPage) error {
	agency, err := s.qpAgencyOf(ctx, nil)
	if err != nil {
		return err
	}
	groups, err := s.Queue.Groups(ctx, agency, false)
	if err != nil {
		return err
	}
	for i, g := range groups {
		pg.Groups = append(pg.Groups, qpKioskGroup{Code: g.Code, Prefix: g.Prefix, Name: qpGroupName(v, g.Name, g.NameEn), Icon: g.Icon, Tone: i % 6})
		if g.Code == pg.Group {
			pg.GroupName = qpGroupName(v, g.Name, g.NameEn)
		}
	}
	st, err := s.Queue.Settings(ctx, agency)
	if err != nil {
		return err
	}
	now := s.Now().In(calendar.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, calendar.Location)
	cal := s.Calendar.Calendar()
	for i := 0; i <= st.BookingDays; i++ {
		d := today.AddDate(0, 0, i)
		if !cal.IsWorkingDay(d) {
			continue
		}
		day := qpBookDay{Value: d.Format(time.DateOnly), Label: qpDayLabel(v, d)}
		pg.Days = append(pg.Days, day)
		if day.Value == pg.Date {
			pg.DateLabel = day.Label
		}
	}
	if pg.Group == "" && pg.Date == "" {
		return nil
	}
	switch {
	case pg.GroupName == "":
		return apperr.Field("group", "group_required", "Vui lòng chọn nhóm dịch vụ.")
	case pg.DateLabel == "":
		return apperr.Field("date", "invalid_date", "Vui lòng chọn một ngày làm việc trong danh sách.")
	}
	day, _ := time.ParseInLocation(time.DateOnly, pg.Date, calendar.Location)
	slots, err := s.Queue.Slots(ctx, agency, pg.Group, day)
	if err != nil {
		return err
	}
	pg.Chosen = true
	for _, sl := range slots {
		at := sl.At.In(calendar.Location)
		bs := qpBookSlot{Value: at.Format(time.RFC3339), Label: at.Format("15:04") + " – " + at.Add(time.Duration(sl.Minutes)*time.Minute).Format("15:04"), Free: sl.Free}
		bs.FreeText = v.T("qbook.full")
		if sl.Free > 0 {
			bs.FreeText = qpFill(v.T("qbook.free"), "n", strconv.Itoa(sl.Free))
		}
		pg.Slots = append(pg.Slots, bs)
		if sl.Free > 0 {
			pg.AnyFree = true
		}
	}
	return nil
}

func (s *Server) qpBookRender(w http.ResponseWriter, r *http.Request, status int, v *view, pg *qpBookPage) {
	v.Title = v.T("qbook.title")
	s.render(w, r, status, "queue_book", v)
}

// GET /queue/book?group=&date= — choose a service and a day, then a time.
func (s *Server) qpBook(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	q := r.URL.Query()
	pg := &qpBookPage{FormToken: qpFormToken(w, r), Group: q.Get("group"), Date: q.Get("date")}
	v := s.newView(w, r, "", pg)
	status := http.StatusOK
	if err := s.qpBookData(r.Context(), v, pg); err != nil {
		if !qpIsAppErr(err) {
			s.fail(w, r, err)
			return
		}
		pg.Error, pg.Chosen, status = qpNewError(v, err), false, apperr.As(err).Status()
	}
	s.qpBookRender(w, r, status, v, pg)
}

// POST /queue/book — book the chosen time; then the booking's page (303).
func (s *Server) qpBookPost(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	if err := qpReadForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	pg := &qpBookPage{FormToken: qpFormToken(w, r), Group: f.Get("group"), Date: f.Get("date"), At: f.Get("at"), Name: f.Get("name"), Phone: f.Get("phone")}
	v := s.newView(w, r, "", pg)
	show := func(err error) {
		if !qpIsAppErr(err) {
			s.fail(w, r, err)
			return
		}
		pg.Error = qpNewError(v, err)
		if e := s.qpBookData(r.Context(), v, pg); e != nil {
			if !qpIsAppErr(e) {
				s.fail(w, r, e)
				return
			}
			pg.Chosen = false
		}
		s.qpBookRender(w, r, apperr.As(err).Status(), v, pg)
	}
	if !s.qpAllow(r) {
		show(qpErrTooFast)
		return
	}
	if !qpFormTokenOK(r) {
		show(qpErrFormExpired)
		return
	}
	at, err := time.Parse(time.RFC3339, pg.At)
	if err != nil {
		show(apperr.Field("at", "slot_required", "Vui lòng chọn giờ hẹn."))
		return
	}
	agency, err := s.qpAgencyOf(r.Context(), nil)
	if err != nil {
		show(err)
		return
	}
	a, err := s.Queue.Book(r.Context(), queue.BookRequest{Agency: agency, Group: pg.Group, At: at, Name: pg.Name, Phone: pg.Phone})
	if err != nil {
		show(err)
		return
	}
	http.Redirect(w, r, "/queue/book/"+url.PathEscape(a.Code)+"?new=1", http.StatusSeeOther)
}

// qpBookingPage is a booking as its holder sees it.
type qpBookingPage struct {
	A         *queue.Appointment
	Group     string
	When      string
	State     string
	QR        template.URL
	New       bool
	Cancelled bool
	FormToken string
	Error     *qpError
}

// qpBookingStates are the texts of a booking's states.
var qpBookingStates = map[string]string{"booked": "qbook.state_booked", "checked_in": "qbook.state_checked_in",
	"cancelled": "qbook.state_cancelled", "no_show": "qbook.state_no_show"}

// qpBookingLoad reads a booking by its code, counting failures against
// the address (codes are not to be guessed).
func (s *Server) qpBookingLoad(w http.ResponseWriter, r *http.Request, v *view, pg *qpBookingPage) error {
	ip := clientIP(r)
	if !s.lookups.allowed(ip, time.Now()) {
		return qpErrTooMany
	}
	a, err := s.Queue.Appointment(r.Context(), r.PathValue("code"))
	if err != nil {
		if e := apperr.As(err); e.Code == queue.ErrAppointmentNotFound.Code {
			s.lookups.fail(ip, time.Now())
			return apperr.New(apperr.NotFound, e.Code, e.Message) // a page that is not there
		}
		return err
	}
	pg.A, pg.Group = a, a.GroupName
	if g, err := s.Queue.Group(r.Context(), a.Agency, a.Group); err == nil {
		pg.Group = qpGroupName(v, g.Name, g.NameEn)
	}
	at := a.SlotAt.In(calendar.Location)
	pg.When = qpDayLabel(v, at) + ", " + at.Format("15:04") + " – " + at.Add(time.Duration(a.SlotMinutes)*time.Minute).Format("15:04")
	pg.State = a.State
	if key, ok := qpBookingStates[a.State]; ok {
		pg.State = v.T(key)
	}
	if png, err := qpQR(a.Code); err == nil {
		pg.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	v.Title = v.T("qbook.booking_title") + " " + a.Code
	return nil
}

// GET /queue/book/{code} — the booking, and a form to cancel it.
func (s *Server) qpBooking(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	pg := &qpBookingPage{FormToken: qpFormToken(w, r), New: r.URL.Query().Has("new"), Cancelled: r.URL.Query().Has("cancelled")}
	v := s.newView(w, r, "", pg)
	if err := s.qpBookingLoad(w, r, v, pg); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "queue_booking", v)
}

// POST /queue/book/{code}/cancel — cancel with the phone number booked
// with.
func (s *Server) qpBookingCancel(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	if err := qpReadForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	pg := &qpBookingPage{FormToken: qpFormToken(w, r)}
	v := s.newView(w, r, "", pg)
	if err := s.qpBookingLoad(w, r, v, pg); err != nil {
		s.fail(w, r, err)
		return
	}
	show := func(err error) {
		if !qpIsAppErr(err) {
			s.fail(w, r, err)
			return
		}
		pg.Error = qpNewError(v, err)
		s.render(w, r, apperr.As(err).Status(), "queue_booking", v)
	}
	switch {
	case !s.qpAllow(r):
		show(qpErrTooFast)
		return
	case !qpFormTokenOK(r):
		show(qpErrFormExpired)
		return
	}
	phone := strings.TrimSpace(r.PostForm.Get("phone"))
	if err := s.Queue.CancelBooking(r.Context(), pg.A.Code, phone); err != nil {
		if apperr.As(err).Code == queue.ErrAppointmentNotFound.Code {
			s.lookups.fail(clientIP(r), time.Now())
			err = apperr.Field("phone", "phone_mismatch", "Số điện thoại không khớp với số đã dùng khi đặt lịch.")
		}
		show(err)
		return
	}
	http.Redirect(w, r, "/queue/book/"+url.PathEscape(pg.A.Code)+"?cancelled=1", http.StatusSeeOther)
}
