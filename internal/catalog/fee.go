package catalog

import (
	"fmt"
	"strconv"
	"strings"
)

// Fee is a procedure's fee or charge rule (phí, lệ phí), in đồng.
type Fee struct {
	Kind FeeKind `json:"kind"`
	// Amount: per case (fixed, provincial) or per copy (per_copy).
	Amount int64 `json:"amount,omitempty"`
	// OnlineAmount, when set, replaces Amount for dossiers filed online
	// (many fees are lower online, e.g. residence registration).
	OnlineAmount *int64 `json:"online_amount,omitempty"`
	// Tiers price pages of one copy (per_page), e.g. pages 1–2 at 2,000 đ,
	// from page 3 at 1,000 đ; CapPerCopy bounds one copy's charge.
	Tiers      []PageTier `json:"tiers,omitempty"`
	CapPerCopy int64      `json:"cap_per_copy,omitempty"`
	// Note explains the rule in plain Vietnamese (e.g. free if on time).
	Note       string   `json:"note,omitempty"`
	NoteEn     string   `json:"note_en,omitempty"`
	Exemptions []string `json:"exemptions,omitempty"`
	// Basis is the legal text that fixes the fee.
	Basis string `json:"basis,omitempty"`
}

// FeeKind is how a fee is computed.
type FeeKind string

// Fee kinds.
const (
	FeeFree       FeeKind = "free"       // no fee
	FeeFixed      FeeKind = "fixed"      // Amount per case
	FeePerCopy    FeeKind = "per_copy"   // Amount per copy
	FeePerPage    FeeKind = "per_page"   // Tiers per page of each copy, capped per copy
	FeeProvincial FeeKind = "provincial" // set by the provincial People's Council; Amount is this province's figure
)

// PageTier prices pages From..To (To 0: and all after) of one copy.
type PageTier struct {
	From   int   `json:"from"`
	To     int   `json:"to,omitempty"`
	Amount int64 `json:"amount"`
}

// FeeInput is what a fee depends on.
type FeeInput struct {
	Channel Channel
	Copies  int // copies requested; 0 means 1
	Pages   int // pages of each copy (per_page); 0 means 1
}

// Compute returns the fee in đồng.
func (f Fee) Compute(in FeeInput) (int64, error) {
	copies := in.Copies
	if copies == 0 {
		copies = 1
	}
	pages := in.Pages
	if pages == 0 {
		pages = 1
	}
	if copies < 0 || pages < 0 {
		return 0, fmt.Errorf("catalog: copies and pages must not be negative")
	}
	amount := f.Amount
	if in.Channel == ChannelOnline && f.OnlineAmount != nil {
		amount = *f.OnlineAmount
	}
	switch f.Kind {
	case FeeFree:
		return 0, nil
	case FeeFixed, FeeProvincial:
		return amount, nil
	case FeePerCopy:
		return amount * int64(copies), nil
	case FeePerPage:
		var perCopy int64
		for _, t := range f.Tiers {
			hi := pages
			if t.To > 0 && t.To < hi {
				hi = t.To
			}
			if hi >= t.From {
				perCopy += int64(hi-t.From+1) * t.Amount
			}
		}
		if f.CapPerCopy > 0 && perCopy > f.CapPerCopy {
			perCopy = f.CapPerCopy
		}
		return perCopy * int64(copies), nil
	}
	return 0, fmt.Errorf("catalog: unknown fee kind %q", f.Kind)
}

// HasFee reports whether the procedure can cost anything.
func (f Fee) HasFee() bool {
	switch f.Kind {
	case FeeFree:
		return false
	case FeePerPage:
		return len(f.Tiers) > 0
	}
	return f.Amount > 0 || (f.OnlineAmount != nil && *f.OnlineAmount > 0)
}

// Describe says the fee in plain Vietnamese, e.g. "2.000 đồng/trang …".
func (f Fee) Describe() string {
	var s string
	switch f.Kind {
	case FeeFree:
		s = "Không mất phí"
	case FeeProvincial:
		if f.Amount == 0 && f.OnlineAmount == nil {
			s = "Theo mức thu do Hội đồng nhân dân tỉnh quy định"
			break
		}
		fallthrough
	case FeeFixed:
		s = VND(f.Amount) + "/hồ sơ"
		if f.OnlineAmount != nil {
			s = VND(f.Amount) + " nộp trực tiếp; " + VND(*f.OnlineAmount) + " nộp trực tuyến"
		}
	case FeePerCopy:
		s = VND(f.Amount) + "/bản"
		if f.OnlineAmount != nil {
			s += " (" + VND(*f.OnlineAmount) + "/bản nếu nộp trực tuyến)"
		}
	case FeePerPage:
		var parts []string
		for _, t := range f.Tiers {
			switch {
			case t.To == 0:
				parts = append(parts, fmt.Sprintf("%s/trang từ trang thứ %d", VND(t.Amount), t.From))
			case t.To == t.From:
				parts = append(parts, fmt.Sprintf("%s cho trang %d", VND(t.Amount), t.From))
			default:
				parts = append(parts, fmt.Sprintf("%s/trang cho trang %d–%d", VND(t.Amount), t.From, t.To))
			}
		}
		s = strings.Join(parts, ", ")
		if f.CapPerCopy > 0 {
			s += "; tối đa " + VND(f.CapPerCopy) + "/bản"
		}
	}
	if f.Note != "" {
		s += ". " + f.Note
	}
	return s
}

// VND formats an amount of đồng the Vietnamese way: "200.000 đồng".
func VND(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String() + " đồng"
	}
	return b.String() + " đồng"
}
