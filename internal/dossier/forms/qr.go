package forms

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// qrModulePx is the size of one QR module in the PNG. The code is printed
// 30 mm wide, so a typical lookup URL (33–57 modules with the quiet zone of
// 4) lands at 200–400 dpi: sharp on paper and on screen.
const qrModulePx = 8

// qrSizeMM is the printed width and height of the QR code.
const qrSizeMM = 30

// qrPNG encodes text as a QR code (medium error correction, ~15 %) in PNG.
func qrPNG(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("forms: QR code: %w", err)
	}
	png, err := q.PNG(-qrModulePx)
	if err != nil {
		return nil, fmt.Errorf("forms: QR code: %w", err)
	}
	return png, nil
}
