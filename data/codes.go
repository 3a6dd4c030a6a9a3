package data

import (
	"fmt"
	"strings"
)

// CheckDigit is the check digit (検査数字) of a 5-digit 全国地方公共団体コード: the digits are
// weighted 6, 5, 4, 3, 2 from the left, the sum is taken mod 11, and the check digit is the
// last digit of 11 − remainder (so remainder 0 gives 1 and remainder 1 gives 0).
// code5 must be five ASCII digits.
func CheckDigit(code5 string) byte {
	sum := 0
	for i, w := range [5]int{6, 5, 4, 3, 2} {
		sum += int(code5[i]-'0') * w
	}
	return byte('0' + (11-sum%11)%10)
}

// SixDigitCode appends the check digit to a 5-digit municipality code.
func SixDigitCode(code5 string) string { return code5 + string(CheckDigit(code5)) }

// NormalizeMunicipalityCode accepts a municipality code with 5 digits (as in N03) or 6
// digits (with the check digit, as in xROAD) and returns the 5-digit form. A 6-digit code
// whose check digit is wrong is refused, naming the expected digit.
func NormalizeMunicipalityCode(s string) (string, error) {
	t := strings.TrimSpace(s)
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return "", fmt.Errorf("municipality code %q: must be 5 or 6 digits (0-9 only)", s)
		}
	}
	switch len(t) {
	case 5:
		return t, nil
	case 6:
		if want := CheckDigit(t[:5]); t[5] != want {
			return "", fmt.Errorf("municipality code %q: check digit is %c, expected %c (全国地方公共団体コード, mod 11)", s, t[5], want)
		}
		return t[:5], nil
	default:
		return "", fmt.Errorf("municipality code %q: must be 5 or 6 digits, found %d characters", s, len(t))
	}
}
