package dossier_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
)

// hoa is the applicant signed in to the portal (a citizen principal).
var hoa = &identity.Principal{ID: "citizen:hoa", Name: "Nguyễn Thị Hoa", Roles: []string{identity.RoleCitizen}}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// The applicant's path: only their own dossiers, newest first; the online
// supplement stores the files and resumes the clock in one transaction;
// withdrawal before the result only; the electronic result's seal checks;
// and a citizen gets nothing through the staff paths.
func TestApplicantPath(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first, err := e.eng.Submit(ctx, lan, birth(), "")
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(10 * 60e9)
		second, err := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
		if err != nil {
			t.Fatal(err)
		}
		stranger := birth()
		stranger.Applicant.IDNumber, stranger.Applicant.Name = "038190099999", "Trần Văn Nam"
		theirs, err := e.eng.Submit(ctx, lan, stranger, "")
		if err != nil {
			t.Fatal(err)
		}
		a, b, c := first.Dossier.Code, second.Dossier.Code, theirs.Dossier.Code

		list, total, err := e.eng.Mine(ctx, hoa, applicant.IDNumber, 0, 10)
		if err != nil || total != 2 || len(list) != 2 || list[0].Code != b || list[1].Code != a {
			t.Fatalf("list: %d %+v %v", total, list, err)
		}
		if _, _, err := e.eng.Mine(ctx, hoa, "", 0, 10); !errors.Is(err, dossier.ErrForbidden) {
			t.Errorf("an empty ID number lists: %v", err)
		}
		if _, _, err := e.eng.Mine(ctx, lan, applicant.IDNumber, 0, 10); !errors.Is(err, dossier.ErrForbidden) {
			t.Errorf("staff on the applicant's path: %v", err)
		}
		if _, err := e.eng.MineGet(ctx, hoa, applicant.IDNumber, c); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("someone else's dossier: %v", err)
		}
		if _, _, err := e.eng.Get(ctx, hoa, a); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("staff Get by a citizen: %v", err)
		}
		if _, err := e.eng.Act(ctx, hoa, a, dossier.ActionRequest{Action: dossier.ActionWithdraw}, ""); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("staff Act by a citizen: %v", err)
		}

		// A supplement request, answered online.
		act(t, e, lan, a, dossier.ActionRequest{Action: "transfer"})
		if _, err := e.eng.Act(ctx, huong, a, dossier.ActionRequest{Action: dossier.ActionRequestSupplement, Reasons: []string{"Bản chụp rõ nét"}}, ""); err != nil {
			t.Fatal(err)
		}
		v, err := e.eng.MineGet(ctx, hoa, applicant.IDNumber, a)
		if err != nil || v.Expect != dossier.ExpectSupplement || v.Supplement == nil || v.Supplement.Reasons[0] != "Bản chụp rõ nét" || len(v.Components) == 0 {
			t.Fatalf("view: %+v %v", v, err)
		}
		e.clock.Advance(2 * 3600e9)
		if _, err := e.eng.MineSupplement(ctx, hoa, applicant.IDNumber, a, nil, ""); apperr.As(err).Code != "no_file" {
			t.Errorf("no file: %v", err)
		}
		bad := map[string][]dossier.Upload{"giay-chung-sinh": {{Name: "x.pdf", Data: pdfBytes}}, "khong-co": {{Name: "y.pdf", Data: pdfBytes}}}
		if _, err := e.eng.MineSupplement(ctx, hoa, applicant.IDNumber, a, bad, ""); apperr.As(err).Code != "unknown_component" {
			t.Errorf("unknown component: %v", err)
		}
		if _, err := e.eng.MineSupplement(ctx, hoa, "038190099999", a, map[string][]dossier.Upload{"giay-chung-sinh": {{Name: "x.pdf", Data: pdfBytes}}}, ""); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("another applicant answers: %v", err)
		}
		files, _ := e.eng.Files(ctx, first.Dossier.ID)
		res, err := e.eng.MineSupplement(ctx, hoa, applicant.IDNumber, a, map[string][]dossier.Upload{"giay-chung-sinh": {{Name: "gcs.pdf", Data: pdfBytes}}}, "Gửi lại")
		if err != nil {
			t.Fatal(err)
		}
		if res.Dossier.State != "processing" || res.Entry.Action != dossier.ActionSupplementReceived || res.Entry.ActorRole != identity.RoleCitizen || res.Entry.Detail["waited_minutes"] == nil {
			t.Errorf("after the answer: %s %+v", res.Dossier.State, res.Entry)
		}
		if after, _ := e.eng.Files(ctx, first.Dossier.ID); len(after) != len(files)+1 {
			t.Errorf("files: %d then %d", len(files), len(after))
		}

		// Withdrawal: with a reason, before the result, once.
		if _, err := e.eng.MineWithdraw(ctx, hoa, applicant.IDNumber, b, " "); apperr.As(err).Code != "reason_required" {
			t.Errorf("no reason: %v", err)
		}
		if _, err := e.eng.MineWithdraw(ctx, hoa, applicant.IDNumber, c, "x"); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("withdraw someone else's: %v", err)
		}
		w, err := e.eng.MineWithdraw(ctx, hoa, applicant.IDNumber, b, "Nộp nhầm")
		if err != nil || w.Dossier.Status != 7 {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		if _, err := e.eng.MineWithdraw(ctx, hoa, applicant.IDNumber, b, "Nộp nhầm"); apperr.As(err).Code != "cannot_withdraw" {
			t.Errorf("withdraw twice: %v", err)
		}

		// The electronic result, and its seal at /verify.
		if _, err := e.eng.MineResult(ctx, hoa, applicant.IDNumber, a); !errors.Is(err, dossier.ErrNoElectronicResult) {
			t.Errorf("result before there is one: %v", err)
		}
		act(t, e, huong, a, dossier.ActionRequest{Action: "submit"})
		if _, err := e.eng.Act(ctx, binh, a, dossier.ActionRequest{Action: "sign", ResultCode: "125/2026/KS", ResultFile: "ks.pdf"}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.eng.MineWithdraw(ctx, hoa, applicant.IDNumber, a, "Muộn rồi"); apperr.As(err).Code != "cannot_withdraw" {
			t.Errorf("withdraw after the result: %v", err)
		}
		list, _, _ = e.eng.Mine(ctx, hoa, applicant.IDNumber, 0, 10)
		if list[1].Code != a || list[1].Expect != dossier.ExpectDownload || !list[1].Electronic {
			t.Errorf("list with the result: %+v", list[1])
		}
		out, err := e.eng.MineResult(ctx, hoa, applicant.IDNumber, a)
		if err != nil || !strings.HasPrefix(string(out.Body), "%PDF") {
			t.Fatalf("result: %v", err)
		}
		d, _, _ := e.eng.Get(ctx, binh, a)
		ver, err := e.eng.VerifySeal(ctx, e.eng.ResultSeal(d))
		if err != nil || !ver.Genuine || ver.Kind != "result" || ver.ResultCode != "125/2026/KS" {
			t.Errorf("verify: %+v %v", ver, err)
		}
		forged := *d
		forged.Result.Code = "999/2026/KS"
		if ver, _ := e.eng.VerifySeal(ctx, e.eng.ResultSeal(&forged)); ver.Genuine {
			t.Error("a result with other facts verifies")
		}
	})
}
