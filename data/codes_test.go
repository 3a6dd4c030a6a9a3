package data

import (
	"strings"
	"testing"
)

// Real 全国地方公共団体コード with their check digits, covering every remainder case:
// 新宿区 has remainder 0 (check 1), 奈良市 remainder 1 (check 0), 熊本市 remainder 10 (check 1).
var realCodes = []struct{ name, six string }{
	{"札幌市", "011002"},
	{"八潮市", "112348"},
	{"横浜市", "141003"},
	{"奈良市", "292010"},
	{"新宿区", "131041"},
	{"千代田区", "131016"},
	{"大阪市", "271004"},
	{"熊本市", "431001"},
	{"相模原市", "141500"},
}

func TestCheckDigitRealCodes(t *testing.T) {
	for _, c := range realCodes {
		if got := SixDigitCode(c.six[:5]); got != c.six {
			t.Errorf("%s: SixDigitCode(%s) = %s, want %s", c.name, c.six[:5], got, c.six)
		}
		got, err := NormalizeMunicipalityCode(c.six)
		if err != nil || got != c.six[:5] {
			t.Errorf("%s: NormalizeMunicipalityCode(%s) = %q, %v; want %s", c.name, c.six, got, err, c.six[:5])
		}
	}
}

func TestCheckDigitRemainders(t *testing.T) {
	// Hand-computed: 29402 → 2·6+9·5+4·4+0·3+2·2 = 77, 77 mod 11 = 0 → 11 → check 1.
	// 29201 → 67, remainder 1 → 10 → check 0. 11234 → 36, remainder 3 → check 8.
	// 29449 → 12+45+16+12+18 = 103, remainder 4 → check 7.
	for code5, want := range map[string]byte{"29402": '1', "29201": '0', "11234": '8', "29449": '7'} {
		if got := CheckDigit(code5); got != want {
			t.Errorf("CheckDigit(%s) = %c, want %c", code5, got, want)
		}
	}
}

func TestNormalizeMunicipalityCode(t *testing.T) {
	ok := map[string]string{"29201": "29201", "292010": "29201", " 112348 ": "11234", "01100": "01100"}
	for in, want := range ok {
		got, err := NormalizeMunicipalityCode(in)
		if err != nil || got != want {
			t.Errorf("NormalizeMunicipalityCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"292011":  "check digit is 1, expected 0",
		"112349":  "check digit is 9, expected 8",
		"2920":    "must be 5 or 6 digits, found 4",
		"2920100": "must be 5 or 6 digits, found 7",
		"29a01":   "0-9 only",
		"":        "must be 5 or 6 digits, found 0",
		"２９２０１":   "0-9 only",
	}
	for in, want := range bad {
		_, err := NormalizeMunicipalityCode(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NormalizeMunicipalityCode(%q) error = %v, want it to contain %q", in, err, want)
		}
	}
}

// Every wrong check digit of every demo municipality is refused: mod 11 detects all
// single-digit substitutions in the last place.
func TestCheckDigitRefusesEveryWrongDigit(t *testing.T) {
	for code := range demoPlaces {
		right := CheckDigit(code)
		for d := byte('0'); d <= '9'; d++ {
			_, err := NormalizeMunicipalityCode(code + string(d))
			if (d == right) != (err == nil) {
				t.Errorf("%s%c: err = %v (right digit %c)", code, d, err, right)
			}
		}
	}
}
