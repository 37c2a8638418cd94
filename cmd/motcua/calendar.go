package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/calendar"
)

const calendarUsage = `Usage:
  motcua calendar lunar <YYYY-MM-DD> [--json]
  motcua calendar holidays <year> [--json]
  motcua calendar add --from <RFC3339> (--working-days N | --working-hours N | --calendar-days N) [--json]
  motcua calendar load <schedule.json> [--data-dir … | --database-url …]

lunar, holidays and add use the shipped official schedules (and rules for
other years); with --data-dir or --database-url they also use the schedules
an administrator loaded into that database. load stores a year's official
schedule (format: data/calendar/2026.json) in the database.`

func runCalendar(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, calendarUsage)
		return nil
	}
	sub, rest := args[0], args[1:]
	fs := newFlags("calendar "+sub, "calendar "+sub+" [flags]", out)
	asJSON := fs.Bool("json", false, "print JSON")
	from := fs.String("from", "", "receipt time, RFC 3339 (e.g. 2026-02-13T10:00:00+07:00)")
	wd := fs.Int("working-days", -1, "working days to add")
	wh := fs.Int("working-hours", -1, "working hours to add")
	cd := fs.Int("calendar-days", -1, "calendar days to add")
	var sf serverFlags
	sf.register(fs, "")
	pos, err := parseArgs(fs, rest)
	if err != nil {
		return err
	}
	cal, svc, closeDB, err := openCalendar(ctx, sf.cfg, sub == "load")
	if err != nil {
		return err
	}
	defer closeDB()
	switch sub {
	case "lunar":
		if len(pos) != 1 {
			return fmt.Errorf("give one date, e.g. motcua calendar lunar 2026-02-17")
		}
		t, err := time.Parse(time.DateOnly, pos[0])
		if err != nil || t.Year() < calendar.MinYear || t.Year() > calendar.MaxYear {
			return fmt.Errorf("%q is not a date YYYY-MM-DD between %d and %d", pos[0], calendar.MinYear, calendar.MaxYear)
		}
		l := calendar.SolarToLunar(t.Day(), int(t.Month()), t.Year())
		if *asJSON {
			return printJSON(out, l)
		}
		fmt.Fprintf(out, "%s dương lịch = %s\n", t.Format("02/01/2006"), l)
	case "holidays":
		if len(pos) != 1 {
			return fmt.Errorf("give one year, e.g. motcua calendar holidays 2026")
		}
		y, err := strconv.Atoi(pos[0])
		if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
			return fmt.Errorf("%q is not a year between %d and %d", pos[0], calendar.MinYear, calendar.MaxYear)
		}
		days := cal.Holidays(y)
		if *asJSON {
			if days == nil {
				days = []calendar.Day{}
			}
			return printJSON(out, days)
		}
		src, official := cal.ScheduleSource(y)
		kind := "projected from the Labor Code rules"
		if official {
			kind = "official"
		}
		fmt.Fprintf(out, "%d (%s): %s\n\n", y, kind, src)
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		for _, d := range days {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Date, d.Kind, d.Name)
		}
		tw.Flush()
	case "add":
		t, err := time.Parse(time.RFC3339, *from)
		if err != nil {
			return fmt.Errorf("--from %q is not an RFC 3339 time like 2026-02-13T10:00:00+07:00", *from)
		}
		var d calendar.Duration
		n := 0
		for _, c := range []struct {
			v int
			u calendar.Unit
		}{{*wd, calendar.WorkingDays}, {*wh, calendar.WorkingHours}, {*cd, calendar.CalendarDays}} {
			if c.v >= 0 {
				d = calendar.Duration{Value: c.v, Unit: c.u}
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("give exactly one of --working-days, --working-hours, --calendar-days")
		}
		due, err := cal.Due(t, d)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(out, map[string]string{"due": due.Format(time.RFC3339)})
		}
		fmt.Fprintf(out, "received %s (counts as %s), %s → due %s\n", t.In(calendar.Location).Format("15:04 02/01/2006"),
			cal.ReceivedDay(t).Format("02/01/2006"), d, due.Format("15:04 02/01/2006"))
	case "load":
		if len(pos) != 1 {
			return fmt.Errorf("give the schedule file, e.g. motcua calendar load 2027.json")
		}
		b, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		sch, err := calendar.ParseSchedule(b)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		if err := svc.Save(ctx, sch, cliActor("calendar load")); err != nil {
			return err
		}
		fmt.Fprintf(out, "loaded the official schedule for %d (%d days) into the database\n", sch.Year, len(sch.Days))
	default:
		return fmt.Errorf("unknown subcommand %q\n\n%s", sub, calendarUsage)
	}
	return nil
}

// openCalendar builds the calendar; with a database configured (or needed)
// it also loads the schedules stored there.
func openCalendar(ctx context.Context, cfg app.Config, needDB bool) (*calendar.Calendar, *calendar.Service, func(), error) {
	cal, err := app.NewCalendar(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	if cfg.DataDir == "" && cfg.DatabaseURL == "" && !needDB {
		return cal, nil, func() {}, nil
	}
	if cfg.DataDir == "" {
		cfg.DataDir = app.DefaultConfig().DataDir
	}
	log, _ := newLogger(os.Stderr, "text", "warn")
	db, err := app.OpenDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, nil, err
	}
	svc := calendar.NewService(db, cal)
	if err := svc.Load(ctx); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return cal, svc, func() { db.Close() }, nil
}

func printJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
