// Package vntext handles Vietnamese text: NFC normalisation (what motcua
// stores and prints) and folding for search, so that "dang ky khai sinh"
// finds "Đăng ký khai sinh".
package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Valid reports whether s is text a person could have typed: valid UTF-8
// with no control characters other than tab and line breaks. (A NUL or a
// broken byte sequence is stored by SQLite but refused by PostgreSQL.)
func Valid(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// NFC returns s in Unicode normalisation form C. Text typed on some phones
// and Mac keyboards arrives decomposed; motcua stores and compares NFC.
func NFC(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// Fold lower-cases s, removes Vietnamese tone and vowel marks, turns đ into d
// and collapses runs of spaces and punctuation into one space.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'đ', 'Đ':
			r = 'd'
		}
		r = unicode.ToLower(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// Words folds s and splits it into words.
func Words(s string) []string {
	return strings.Fields(Fold(s))
}
