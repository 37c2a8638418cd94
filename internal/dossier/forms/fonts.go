package forms

import (
	_ "embed"
	"encoding/binary"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The PDF fonts: Noto Serif 2.004 (SIL OFL 1.1), vendored from Debian's
// fonts-noto-core; see fonts/README.md and fonts/OFL.txt. fpdf embeds the
// subset of glyphs a document uses.
var (
	//go:embed fonts/NotoSerif-Regular.ttf
	fontRegular []byte
	//go:embed fonts/NotoSerif-Bold.ttf
	fontBold []byte
	//go:embed fonts/NotoSerif-Italic.ttf
	fontItalic []byte
)

// pdfFontFamily is the family name of the embedded fonts in the PDF.
const pdfFontFamily = "NotoSerif"

// covered is the set of BMP code points the regular font has a glyph for
// (the three styles cover the same characters).
var covered = sync.OnceValue(func() *[65536 / 64]uint64 {
	var set [65536 / 64]uint64
	for _, r := range cmapRunes(fontRegular) {
		set[r/64] |= 1 << (r % 64)
	}
	return &set
})

// hasGlyph reports whether the fonts can draw r.
func hasGlyph(r rune) bool {
	if r < 0 || r > 0xFFFF {
		return false
	}
	return covered()[r/64]&(1<<(uint(r)%64)) != 0
}

// substitutes stand in for characters the fonts lack.
var substitutes = map[rune]string{
	'→': "->", '←': "<-", '⇒': "=>", '✓': "v", '✔': "v", '✗': "x", '•': "-",
	'\u00a0': " ", '\t': " ", '\u200b': "",
}

// pdfText makes s drawable with the embedded fonts: NFC, characters the
// fonts lack replaced by a look-alike or "?", control characters by spaces.
func pdfText(s string) string {
	s = norm.NFC.String(s)
	ok := true
	for _, r := range s {
		if r != '\n' && !hasGlyph(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || hasGlyph(r):
			b.WriteRune(r)
		case substitutes[r] != "" || r == '\u200b':
			b.WriteString(substitutes[r])
		case unicode.IsControl(r) || unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.Is(unicode.Mn, r):
			// a combining mark NFC could not compose: drop it
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// cmapRunes lists the BMP code points mapped to a glyph by the (3,1)
// format-4 cmap subtable of a TrueType font.
func cmapRunes(ttf []byte) []rune {
	be := binary.BigEndian
	u16 := func(off int) int {
		if off < 0 || off+2 > len(ttf) {
			return 0
		}
		return int(be.Uint16(ttf[off:]))
	}
	u32 := func(off int) int {
		if off < 0 || off+4 > len(ttf) {
			return 0
		}
		return int(be.Uint32(ttf[off:]))
	}
	cmap := -1
	for i, n := 0, u16(4); i < n; i++ {
		rec := 12 + 16*i
		if rec+16 <= len(ttf) && string(ttf[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return nil
	}
	sub := -1
	for i, n := 0, u16(cmap+2); i < n; i++ {
		rec := cmap + 4 + 8*i
		if u16(rec) == 3 && u16(rec+2) == 1 && u16(cmap+u32(rec+4)) == 4 {
			sub = cmap + u32(rec+4)
		}
	}
	if sub < 0 {
		return nil
	}
	seg := u16(sub+6) / 2
	ends, starts := sub+14, sub+16+2*seg
	deltas, ranges := starts+2*seg, starts+4*seg
	var out []rune
	for i := 0; i < seg; i++ {
		start, end := u16(starts+2*i), u16(ends+2*i)
		delta, ro := u16(deltas+2*i), u16(ranges+2*i)
		for c := start; c <= end && c <= 0xFFFF; c++ {
			var g int
			if ro == 0 {
				g = (c + delta) & 0xFFFF
			} else {
				g = u16(ranges + 2*i + ro + 2*(c-start))
				if g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g != 0 {
				out = append(out, rune(c))
			}
			if c == 0xFFFF {
				break
			}
		}
	}
	return out
}
