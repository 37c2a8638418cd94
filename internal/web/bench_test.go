package web_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
)

// BenchmarkProcedureSearchHTTP measures GET /api/v1/procedures?q=… over the
// whole catalogue through the full HTTP stack, and reports the p99 latency.
//
//	go test ./internal/web -run '^$' -bench ProcedureSearchHTTP
func BenchmarkProcedureSearchHTTP(b *testing.B) {
	env := apptest.Start(b, store.SQLite, apptest.Options{Demo: true})
	token, err := env.App.Tokens.Create(b.Context(), tokenSpecAdmin)
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"dang ky khai sinh", "chứng thực bản sao", "ho kinh doanh", "thuong tru", "giấy độc thân", "kết hôn", "trợ cấp", "1.001193", "xac nhan tinh trang hon nhan", "mai tang"}
	client := &http.Client{}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", env.URL+"/api/v1/procedures?q="+url.QueryEscape(queries[i%len(queries)]), nil)
		req.Header.Set("Authorization", "Bearer "+token) // a token: not rate limited
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	apptest.ReportLatency(b, lat)
}
