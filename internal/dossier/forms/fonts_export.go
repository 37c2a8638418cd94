package forms

// PDFFonts gives other reports (the digital-transformation dashboard's
// export) the embedded Noto Serif fonts, so that every PDF motcua makes
// draws Vietnamese the same way.
func PDFFonts() (regular, bold, italic []byte) {
	return fontRegular, fontBold, fontItalic
}
