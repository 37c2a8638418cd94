package registry

import (
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// Sandbox is a stand-in for the province's platform: the same protocol, over
// the synthetic residents of the demo commune, with the platform's habits —
// a little latency, now and then a refusal to answer — so that the counter's
// screens are built for the real thing. Every answer is marked SANDBOX.
type Sandbox struct {
	DB     *store.DB
	Secret string
	Log    *slog.Logger
	// Latency is the typical answer time; FailEvery makes one request in n
	// answer 503 (0: never).
	Latency   time.Duration
	FailEvery int
}

// ServeHTTP answers POST /v1/cong-dan/tra-cuu.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/cong-dan/tra-cuu" {
		http.Error(w, `{"loi":"không có dịch vụ này"}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<10))
	if err != nil {
		http.Error(w, `{"loi":"yêu cầu quá lớn"}`, http.StatusBadRequest)
		return
	}
	ts, rid := r.Header.Get("X-Timestamp"), r.Header.Get("X-Request-Id")
	t, _ := strconv.ParseInt(ts, 10, 64)
	if rid == "" || time.Since(time.Unix(t, 0)).Abs() > 5*time.Minute ||
		!hmac.Equal([]byte(r.Header.Get("X-Signature")), []byte(Sign(s.Secret, ts, rid, body))) {
		http.Error(w, `{"loi":"chữ ký không hợp lệ"}`, http.StatusUnauthorized)
		return
	}
	if s.Latency > 0 {
		time.Sleep(s.Latency/2 + time.Duration(rand.Int64N(int64(s.Latency))))
	}
	if s.FailEvery > 0 && rand.IntN(s.FailEvery) == 0 {
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"loi":"hệ thống bận, thử lại sau"}`, http.StatusServiceUnavailable)
		return
	}
	var req lookupRequest
	if err := json.Unmarshal(body, &req); err != nil || !reID.MatchString(req.IDNumber) {
		http.Error(w, `{"loi":"số định danh không hợp lệ"}`, http.StatusBadRequest)
		return
	}
	p, err := s.lookup(r, req.IDNumber)
	if errors.Is(err, sql.ErrNoRows) {
		http.Error(w, `{"loi":"không tìm thấy"}`, http.StatusNotFound)
		return
	}
	if err != nil {
		if s.Log != nil {
			s.Log.Error("sandbox population lookup", "err", err)
		}
		http.Error(w, `{"loi":"lỗi hệ thống"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"ket_qua": p, "sandbox": true})
}

func (s *Sandbox) lookup(r *http.Request, id string) (*Person, error) {
	ctx := r.Context()
	p := &Person{IDNumber: id, Source: "SANDBOX"}
	var agency, village, household, relation, doc string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT r.full_name, r.birth_date, r.sex, r.agency_code, r.village_code, r.household_id, r.relation, r.phone, r.doc
		FROM sandbox_residents r WHERE r.id_number = $1`, id).Scan(&p.FullName, &p.BirthDate, &p.Sex, &agency, &village, &household, &relation, &p.Phone, &doc)
	if err != nil {
		return nil, err
	}
	var extra struct {
		Ethnicity     string `json:"ethnicity"`
		Religion      string `json:"religion"`
		Nationality   string `json:"nationality"`
		Hometown      string `json:"hometown"`
		MaritalStatus string `json:"marital_status"`
		EIDLevel      int    `json:"eid_level"`
	}
	json.Unmarshal([]byte(doc), &extra)
	p.Ethnicity, p.Religion, p.Nationality, p.Hometown, p.EIDLevel = extra.Ethnicity, extra.Religion, extra.Nationality, extra.Hometown, extra.EIDLevel
	p.MaritalStatus = map[string]string{"married": "Đã kết hôn", "single": "Chưa kết hôn", "widowed": "Góa", "divorced": "Đã ly hôn"}[extra.MaritalStatus]
	p.HouseholdID = household
	p.RelationToHead = map[string]string{"head": "Chủ hộ", "spouse": "Vợ/chồng", "child": "Con", "parent": "Cha/mẹ"}[relation]
	var villageName, communeName string
	s.DB.Read().QueryRowContext(ctx, "SELECT v.name, a.name FROM villages v JOIN agencies a ON a.code = v.agency_code WHERE v.agency_code = $1 AND v.code = $2",
		agency, village).Scan(&villageName, &communeName)
	addr := "Thôn " + villageName + ", " + trimUBND(communeName) + ", tỉnh Thanh Hóa"
	p.PermanentAddress, p.CurrentAddress = addr, addr
	s.DB.Read().QueryRowContext(ctx, "SELECT full_name FROM sandbox_residents WHERE household_id = $1 AND relation = 'head'", household).Scan(&p.HouseholdHead)
	return p, nil
}

func trimUBND(s string) string {
	const prefix = "Ủy ban nhân dân "
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):]
	}
	return s
}
