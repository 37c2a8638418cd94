package forms

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf16"
)

// ErrNoSeal is returned by SealFromPDF when the PDF carries no seal.
var ErrNoSeal = errors.New("forms: the PDF carries no motcua seal")

// SealFromPDF reads back the Data.Seal that PDF wrote into the document
// information dictionary (/Keywords, prefixed by SealKeywordPrefix). It
// reads PDFs as this package writes them (an uncompressed information
// dictionary); it does not check the seal.
func SealFromPDF(pdf []byte) (string, error) {
	const key = "/Keywords"
	i := bytes.LastIndex(pdf, []byte(key))
	if i < 0 {
		return "", ErrNoSeal
	}
	rest := bytes.TrimLeft(pdf[i+len(key):], " \r\n\t")
	if len(rest) == 0 || rest[0] != '(' {
		return "", ErrNoSeal
	}
	raw, ok := pdfLiteral(rest[1:])
	if !ok {
		return "", ErrNoSeal
	}
	s := string(raw)
	if len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF { // UTF-16BE with BOM
		u := make([]uint16, 0, len(raw)/2)
		for j := 2; j+1 < len(raw); j += 2 {
			u = append(u, uint16(raw[j])<<8|uint16(raw[j+1]))
		}
		s = string(utf16.Decode(u))
	}
	if !strings.HasPrefix(s, SealKeywordPrefix) {
		return "", ErrNoSeal
	}
	return strings.TrimPrefix(s, SealKeywordPrefix), nil
}

// pdfLiteral decodes a PDF literal string whose opening parenthesis has
// been consumed, up to its closing one.
func pdfLiteral(b []byte) ([]byte, bool) {
	var out []byte
	depth := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '\\':
			i++
			if i >= len(b) {
				return nil, false
			}
			switch e := b[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r', '\n': // line continuation
				if e == '\r' && i+1 < len(b) && b[i+1] == '\n' {
					i++
				}
			default:
				if e >= '0' && e <= '7' {
					v := 0
					n := 0
					for n < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7' {
						v = v*8 + int(b[i]-'0')
						i++
						n++
					}
					i--
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		case '(':
			depth++
			out = append(out, c)
		case ')':
			if depth == 0 {
				return out, true
			}
			depth--
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return nil, false
}
