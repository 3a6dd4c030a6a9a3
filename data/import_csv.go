package data

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/width"
)

// importColumns maps the accepted column names (CSV headers, GeoJSON property names),
// folded to lower case and half-width, to the asset field they fill. The English names
// are those of GET /api/v1/assets?format=csv, so an export imports back unchanged.
var importColumns = map[string]string{
	"id": "id", "asset_id": "id", "施設id": "id", "管理番号": "id", "整理番号": "id",
	"municipality": "municipality", "municipality_code": "municipality", "code": "municipality",
	"市区町村コード": "municipality", "団体コード": "municipality", "自治体コード": "municipality",
	"kind": "kind", "種別": "kind", "施設種別": "kind",
	"name": "name", "名称": "name", "施設名": "name", "橋梁名": "name",
	"lon": "lon", "lng": "lon", "longitude": "lon", "経度": "lon",
	"lat": "lat", "latitude": "lat", "緯度": "lat",
	"length_m": "length_m", "length": "length_m", "橋長": "length_m", "延長": "length_m", "橋長(m)": "length_m", "延長(m)": "length_m",
	"width_m": "width_m", "width": "width_m", "幅員": "width_m", "全幅員": "width_m", "幅員(m)": "width_m",
	"year_built": "year_built", "架設年度": "year_built", "架設年": "year_built", "建設年度": "year_built",
	"health": "health", "rating": "health", "健全性": "health", "判定区分": "health",
	"last_inspection_fy": "last_inspection_fy", "点検年度": "last_inspection_fy", "前回点検年度": "last_inspection_fy", "最新点検年度": "last_inspection_fy",
	"over_rail": "over_rail", "跨線": "over_rail", "跨線橋": "over_rail",
	"over_water": "over_water", "渡河": "over_water", "跨河": "over_water",
	"cost": "cost", "点検費": "cost", "費用": "cost",
	"workload": "workload", "人工": "workload", "作業量": "workload",
	"equipment": "equipment", "機材": "equipment",
}

// exportOnlyColumns are written by the CSV export and ignored by the import without a
// mention in ignored_columns.
var exportOnlyColumns = map[string]bool{"derived_cost": true, "derived_workload": true, "derived_equipment": true,
	"health_roman": true, "due_fy": true}

// kindAliases maps Japanese kind names to docs/model.md kinds.
var kindAliases = map[string]string{
	"橋": "bridge", "橋梁": "bridge", "道路橋": "bridge",
	"トンネル": "tunnel", "隧道": "tunnel",
	"カルバート": "culvert", "ボックスカルバート": "culvert", "大型カルバート": "culvert",
	"横断歩道橋": "footbridge", "歩道橋": "footbridge",
	"道路附属物": "road_furniture", "門型標識": "road_furniture", "道路附属物等": "road_furniture",
	"下水処理場": "sewer_plant", "処理場": "sewer_plant", "終末処理場": "sewer_plant",
	"ポンプ場": "pump_station", "中継ポンプ場": "pump_station",
}

// foldColumn normalises a header: trimmed, half-width, lower case, without spaces.
func foldColumn(h string) string {
	h = width.Fold.String(strings.TrimSpace(h))
	h = strings.ToLower(strings.Join(strings.Fields(h), ""))
	return h
}

// decodeText turns a file into UTF-8: a UTF-8 BOM is dropped; valid UTF-8 is taken as
// is; anything else is decoded as Shift_JIS (Windows-31J, what Excel writes on Japanese
// Windows).
func decodeText(b []byte) (string, string, error) {
	if bytes.HasPrefix(b, utf8BOM) {
		b = b[len(utf8BOM):]
		if !utf8.Valid(b) {
			return "", "", errors.New("the file starts with a UTF-8 byte-order mark but is not valid UTF-8")
		}
		return string(b), "utf-8-bom", nil
	}
	if utf8.Valid(b) {
		return string(b), "utf-8", nil
	}
	out, err := japanese.ShiftJIS.NewDecoder().Bytes(b)
	if err != nil {
		return "", "", fmt.Errorf("neither UTF-8 nor Shift_JIS: %v", err)
	}
	return string(out), "shift_jis", nil
}

// parseCSV reads a CSV (or tab-separated) file with a header row.
func parseCSV(body []byte, maxRecords int) (*parsed, error) {
	text, enc, err := decodeText(body)
	if err != nil {
		return nil, &ImportFileError{Format: FormatCSV, Msg: err.Error()}
	}
	p := &parsed{encoding: enc}
	firstLine, _, _ := strings.Cut(text, "\n")
	r := csv.NewReader(strings.NewReader(text))
	if strings.Contains(firstLine, "\t") && !strings.Contains(firstLine, ",") {
		r.Comma = '\t'
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, &ImportFileError{Format: FormatCSV, Msg: "the file is empty: expected a header row (lon,lat or 経度,緯度, municipality, kind, …)"}
	}
	if err != nil {
		return nil, &ImportFileError{Format: FormatCSV, Msg: err.Error()}
	}
	cols := make([]string, len(header))
	seen := map[string]string{}
	for i, h := range header {
		c, ok := importColumns[foldColumn(h)]
		if !ok {
			if !exportOnlyColumns[foldColumn(h)] && strings.TrimSpace(h) != "" {
				p.ignored = append(p.ignored, strings.TrimSpace(h))
			}
			continue
		}
		if prev, dup := seen[c]; dup {
			return nil, &ImportFileError{Format: FormatCSV, Msg: fmt.Sprintf("line 1: columns %q and %q both give %s", prev, strings.TrimSpace(h), c)}
		}
		seen[c] = strings.TrimSpace(h)
		cols[i] = c
	}
	var missing []string
	for _, c := range []string{"lon", "lat", "municipality", "kind"} {
		if _, ok := seen[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, &ImportFileError{Format: FormatCSV, Msg: fmt.Sprintf("line 1: the header lacks %s (accepted names: lon/経度, lat/緯度, municipality/市区町村コード, kind/種別)",
			strings.Join(missing, ", "))}
	}
	err = eachCSVRow(r, p, maxRecords, len(header), func(rec []string, line int) {
		values := map[string]string{}
		for i, c := range cols {
			if c != "" {
				values[c] = rec[i]
			}
		}
		ar, issues := assetFromValues(values)
		ar.line = line
		if len(issues) > 0 {
			for _, is := range issues {
				is.Line, is.Asset = line, ar.a.ID
				p.rejected = append(p.rejected, is)
			}
			return
		}
		p.assets = append(p.assets, ar)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// eachCSVRow hands each good data row of r to fn; a malformed row or one of another
// width than the header is rejected in p.
func eachCSVRow(r *csv.Reader, p *parsed, maxRecords, width int, fn func(rec []string, line int)) error {
	for {
		rec, line, more, err := nextCSVRow(r, p, maxRecords, width)
		if err != nil || !more {
			return err
		}
		if rec != nil {
			fn(rec, line)
		}
	}
}

// nextCSVRow reads the next data row of r: more is false at the end; a malformed row
// or one of another width than the header is rejected in p (rec nil, more true).
func nextCSVRow(r *csv.Reader, p *parsed, maxRecords, width int) (rec []string, line int, more bool, err error) {
	rec, err = r.Read()
	if err == io.EOF {
		return nil, 0, false, nil
	}
	p.records++
	if err := checkRecordCount(p.records, maxRecords); err != nil {
		return nil, 0, false, err
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p.rejected = append(p.rejected, ImportIssue{Line: pe.StartLine, Field: "",
				Reason: fmt.Sprintf("malformed CSV (column %d): %v", pe.Column, pe.Err)})
			return nil, 0, true, nil
		}
		return nil, 0, false, &ImportFileError{Format: FormatCSV, Msg: err.Error()}
	}
	line, _ = r.FieldPos(0) // only after a good read: FieldPos panics on an empty record
	if len(rec) != width {
		p.rejected = append(p.rejected, ImportIssue{Line: line, Field: "",
			Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), width)})
		return nil, line, true, nil
	}
	return rec, line, true, nil
}

// assetFromValues builds an asset from named cell values (columns absent from the map
// are not given by the source). Every problem of the record is listed.
func assetFromValues(v map[string]string) (assetRecord, []ImportIssue) {
	var r assetRecord
	var issues []ImportIssue
	bad := func(field, format string, args ...any) {
		issues = append(issues, ImportIssue{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	get := func(c string) (string, bool) {
		s, ok := v[c]
		s = strings.TrimSpace(s)
		// A ' before =, +, - or @ is how exports keep spreadsheets from running a text as a formula.
		if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
			s = s[1:]
		}
		return s, ok
	}
	r.a.ID, _ = get("id")
	if s, _ := get("municipality"); s == "" {
		bad("municipality", "is required (5-digit code, or 6 with the check digit)")
	} else if c, err := NormalizeMunicipalityCode(width.Narrow.String(s)); err != nil {
		bad("municipality", "%v", err)
	} else {
		r.a.Municipality = c
	}
	if s, _ := get("kind"); s == "" {
		bad("kind", "is required (bridge, tunnel, culvert, footbridge, road_furniture, sewer_plant, pump_station, or a kind of the cost model)")
	} else if k, ok := kindAliases[s]; ok {
		r.a.Kind = k
	} else {
		r.a.Kind = strings.ToLower(width.Narrow.String(s))
	}
	coord := func(c string, lo, hi float64) float64 {
		s, _ := get(c)
		if s == "" {
			bad(c, "is required (WGS84 degrees)")
			return 0
		}
		x, err := parseNumber(s)
		if err != nil {
			bad(c, "%q is not a number", s)
			return 0
		}
		if x < lo || x > hi {
			bad(c, "%s is outside %g…%g degrees", s, lo, hi)
		}
		return x
	}
	r.a.Lon = coord("lon", -180, 180)
	r.a.Lat = coord("lat", -90, 90)
	if r.a.Lat > 90 && r.a.Lon >= -90 && r.a.Lon <= 90 {
		issues[len(issues)-1].Reason += " (are longitude and latitude swapped?)"
	}
	if s, ok := get("name"); ok {
		r.a.Name, r.has = s, r.has|fName
	}
	optFloat := func(c string, f assetField, dst **float64) {
		s, ok := get(c)
		if !ok {
			return
		}
		r.has |= f
		if s == "" {
			return
		}
		x, err := parseNumber(s)
		if err != nil {
			bad(c, "%q is not a number", s)
			return
		}
		if msg := FigureProblem(c, x); msg != "" {
			bad(c, "%s", msg) // the words of ValidateAsset, as at every entrance
			return
		}
		*dst = &x
	}
	optFloat("length_m", fLength, &r.a.LengthM)
	optFloat("width_m", fWidth, &r.a.WidthM)
	optFloat("cost", fCost, &r.a.Cost)
	optFloat("workload", fWorkload, &r.a.Workload)
	optYear := func(c string, f assetField, dst **int) {
		s, ok := get(c)
		if !ok {
			return
		}
		r.has |= f
		if s == "" || s == "不明" || s == "-" {
			return
		}
		y, err := parseYear(s)
		if err != nil {
			bad(c, "%q: %v", s, err)
			return
		}
		*dst = &y // its range: ValidateAsset
	}
	optYear("year_built", fYearBuilt, &r.a.YearBuilt)
	optYear("last_inspection_fy", fLastInspection, &r.a.LastInspectionFY)
	if s, ok := get("health"); ok {
		r.has |= fHealth
		if s != "" {
			if h, err := parseHealth(s); err != nil {
				bad("health", "%q: %v", s, err)
			} else {
				r.a.Rating = &h
			}
		}
	}
	optBool := func(c string, f assetField, dst *bool) {
		s, ok := get(c)
		if !ok {
			return
		}
		r.has |= f
		b, err := parseBool(s)
		if err != nil {
			bad(c, "%q: %v", s, err)
			return
		}
		*dst = b
	}
	optBool("over_rail", fOverRail, &r.a.OverRail)
	optBool("over_water", fOverWater, &r.a.OverWater)
	if s, ok := get("equipment"); ok {
		r.has |= fEquipment
		switch strings.ToLower(s) {
		case "":
		case "none", "-", "なし":
			r.a.Equipment = []string{}
		default:
			names := strings.FieldsFunc(s, func(c rune) bool { return c == ';' || c == '|' || c == ',' || c == ' ' || c == '、' })
			for _, n := range names {
				if !equipmentName.MatchString(n) {
					bad("equipment", "%q is not an equipment name (snake_case, e.g. snooper_truck; separate names with ;)", n)
				}
			}
			r.a.Equipment = names
		}
	}
	if r.a.ID == "" && len(issues) == 0 {
		r.a.ID = StableAssetID(r.a.Municipality, r.a.Kind, r.a.Name, r.a.Lon, r.a.Lat)
		r.generatedID = true
	}
	return r, issues
}

// parseNumber reads a number written the way spreadsheets do: full-width digits,
// thousands separators, a trailing unit (m, 円) or a leading ¥.
func parseNumber(s string) (float64, error) {
	s = width.Narrow.String(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "\\")
	for _, suf := range []string{"円", "m", "M"} {
		s = strings.TrimSuffix(s, suf)
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("not a number")
	}
	return x, nil
}

// eras are the Japanese era names and initials with the Gregorian year before year 1.
var eras = []struct {
	names []string
	base  int
}{
	{[]string{"令和", "R"}, 2018}, {[]string{"平成", "H"}, 1988}, {[]string{"昭和", "S"}, 1925},
	{[]string{"大正", "T"}, 1911}, {[]string{"明治", "M"}, 1867},
}

// parseYear reads a (fiscal) year: 1975, 1975年, 1975年度, or a Japanese era year (S50,
// 昭和50年, H元年).
func parseYear(s string) (int, error) {
	s = width.Narrow.String(strings.TrimSpace(s))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "度"), "年")
	for _, e := range eras {
		for _, n := range e.names {
			if rest, ok := strings.CutPrefix(s, n); ok {
				rest = strings.TrimSpace(strings.TrimPrefix(rest, "."))
				if rest == "元" {
					return e.base + 1, nil
				}
				y, err := strconv.Atoi(rest)
				if err != nil || y < 1 {
					return 0, fmt.Errorf("not a year of the %s era", e.names[0])
				}
				return e.base + y, nil
			}
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) {
		return int(f), nil
	}
	return 0, fmt.Errorf("not a year (1975, S50 or 昭和50年)")
}

// parseHealth reads a 健全性 rating: I–IV (ASCII or Ⅰ–Ⅳ) or 1–4.
func parseHealth(s string) (int, error) {
	switch strings.ToUpper(width.Narrow.String(strings.TrimSpace(s))) {
	case "I", "Ⅰ", "1":
		return 1, nil
	case "II", "Ⅱ", "2":
		return 2, nil
	case "III", "Ⅲ", "3":
		return 3, nil
	case "IV", "Ⅳ", "4":
		return 4, nil
	}
	return 0, fmt.Errorf("health is I, II, III, IV or 1–4")
}

// parseBool reads yes/no cells: true/false, 1/0, yes/no, y/n, ○/×, 有/無, はい/いいえ;
// an empty cell is false.
func parseBool(s string) (bool, error) {
	// Fold (not Narrow): Narrow would turn ○ into its half-width form ￮.
	switch strings.ToLower(width.Fold.String(strings.TrimSpace(s))) {
	case "true", "1", "yes", "y", "○", "〇", "◯", "有", "はい", "t":
		return true, nil
	case "false", "0", "no", "n", "×", "無", "いいえ", "f", "", "-":
		return false, nil
	}
	return false, fmt.Errorf("expected true/false, 1/0, yes/no, ○/× or 有/無")
}
