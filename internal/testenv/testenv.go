// Package testenv tells tests what the machine provides, and turns a missing
// service into a failure when CI requires everything (MOTCUA_TEST_REQUIRE_ALL=1).
package testenv

import (
	"os"
	"testing"
)

// RequireAll reports whether every test must run: CI sets
// MOTCUA_TEST_REQUIRE_ALL=1, and then nothing may be skipped.
func RequireAll() bool { return os.Getenv("MOTCUA_TEST_REQUIRE_ALL") == "1" }

// Missing skips the test because a local service is absent, or fails it when
// CI requires everything.
func Missing(t testing.TB, what string) {
	t.Helper()
	if RequireAll() {
		t.Fatalf("%s is required (MOTCUA_TEST_REQUIRE_ALL=1) but not available", what)
	}
	t.Skipf("%s not available; set it up to run this test (CI does)", what)
}

// PostgresURL is the PostgreSQL server tests may use, from
// MOTCUA_TEST_POSTGRES_URL.
func PostgresURL() string { return os.Getenv("MOTCUA_TEST_POSTGRES_URL") }
