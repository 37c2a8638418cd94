package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/score"
)

const reportUsage = `Usage:
  motcua report 766 (--agency <code> | --province <code>) --from <YYYY-MM-DD> --to <YYYY-MM-DD>
                    [--formula 2022|current] [--procedure <code>] [--field <lĩnh vực>] [--json]
                    [--data-dir … | --database-url …]

Prints the Decision 766 service-quality index (vietnam-rules.md §5) computed
from motcua's own dossiers, imported ones included: every indicator with its
numerator, denominator, ratio, score and maximum, and whether it could be
computed ("no_data": needs data motcua does not hold; "not_applicable": not
for this level or nothing to measure). Both dates are included.`

// reportJSON is the printed form of an index.
type reportJSON struct {
	Agency       string            `json:"agency,omitempty"`
	Province     string            `json:"province,omitempty"`
	From         string            `json:"from"`
	To           string            `json:"to"`
	Formula      string            `json:"formula"`
	Total        float64           `json:"total"`
	Max          float64           `json:"max"`
	MaxAvailable float64           `json:"max_available"`
	Groups       []score.Group     `json:"groups"`
	Indicators   []reportIndicator `json:"indicators"`
}

type reportIndicator struct {
	ID          string  `json:"id"`
	Group       string  `json:"group"`
	Name        string  `json:"name"`
	Numerator   int64   `json:"numerator"`
	Denominator int64   `json:"denominator"`
	Ratio       float64 `json:"ratio"`
	Unit        string  `json:"unit"`
	Score       float64 `json:"score"`
	Max         float64 `json:"max"`
	State       string  `json:"state"`
	Note        string  `json:"note,omitempty"`
}

func runReport(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, reportUsage)
		return nil
	}
	if args[0] != "766" {
		return fmt.Errorf("unknown report %q\n\n%s", args[0], reportUsage)
	}
	var f dbFlags
	fs := newFlags("report 766", "report 766 [flags]", out)
	f.register(fs)
	agency := fs.String("agency", "", "receiving agency (commune) code")
	province := fs.String("province", "", "province code: all its communes together")
	fromS := fs.String("from", "", "first day, YYYY-MM-DD")
	toS := fs.String("to", "", "last day, YYYY-MM-DD")
	formula := fs.String("formula", score.FormulaCurrent, "formula set: 2022 (five groups) or current (six groups)")
	procedure := fs.String("procedure", "", "one procedure's national code")
	field := fs.String("field", "", "one field (lĩnh vực)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	from, err := time.ParseInLocation(time.DateOnly, *fromS, calendar.Location)
	if err != nil {
		return fmt.Errorf("--from %q is not a date YYYY-MM-DD", *fromS)
	}
	to, err := time.ParseInLocation(time.DateOnly, *toS, calendar.Location)
	if err != nil {
		return fmt.Errorf("--to %q is not a date YYYY-MM-DD", *toS)
	}
	log, err := newLogger(os.Stderr, "text", f.logLevel)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, f.cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	x, err := a.Score.Index(ctx, score.Query{Agency: *agency, Province: *province, From: from, To: to, Formula: *formula, Procedure: *procedure, Field: *field})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return errors.New(ae.Message)
		}
		return err
	}
	r := reportJSON{Agency: *agency, Province: *province, From: *fromS, To: *toS, Formula: x.Formula, Total: x.Total, Max: x.Max,
		MaxAvailable: x.MaxAvailable, Groups: x.Groups, Indicators: []reportIndicator{}}
	for _, in := range x.Indicators {
		r.Indicators = append(r.Indicators, reportIndicator{ID: in.ID, Group: in.Group, Name: in.Name, Numerator: in.Numerator, Denominator: in.Denominator,
			Ratio: in.Ratio, Unit: in.Unit, Score: in.Score, Max: in.Max, State: in.State, Note: in.Note})
	}
	if *asJSON {
		return printJSON(out, r)
	}
	who := *agency
	if who == "" {
		who = "tỉnh " + *province
	}
	fmt.Fprintf(out, "Chỉ số 766 — %s, %s đến %s (bộ công thức %s)\n\n", who, from.Format("02/01/2006"), to.Format("02/01/2006"), x.Formula)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Chỉ số\tTử số\tMẫu số\tTỷ lệ\tĐiểm\tTối đa\tTrạng thái\t")
	for _, in := range r.Indicators {
		ratio := fmt.Sprintf("%.2f%%", in.Ratio)
		if in.Unit == "working_days" {
			ratio = fmt.Sprintf("%.2f ngày", in.Ratio)
		}
		if in.State != score.StateComputed {
			ratio = "—"
		}
		fmt.Fprintf(tw, "%s %s\t%d\t%d\t%s\t%.2f\t%.0f\t%s\t\n", in.ID, in.Name, in.Numerator, in.Denominator, ratio, in.Score, in.Max, stateWord(in.State))
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, g := range r.Groups {
		fmt.Fprintf(out, "Nhóm %s %s: %.2f/%.0f\n", g.ID, g.Name, g.Score, g.Max)
	}
	fmt.Fprintf(out, "\nTổng: %.2f/100 (các chỉ số tính được: tối đa %.0f)\n", r.Total, r.MaxAvailable)
	return nil
}

func stateWord(s string) string {
	switch s {
	case score.StateComputed:
		return "đã tính"
	case score.StateNoData:
		return "chưa có dữ liệu"
	}
	return "không áp dụng"
}
