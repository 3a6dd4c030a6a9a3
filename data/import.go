package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/geo"
)

// Import formats.
const (
	FormatCSV     = "csv"
	FormatGeoJSON = "geojson"
	FormatXROAD   = "xroad"
)

// DefaultOwnershipToleranceM is how far (metres) an asset may lie outside its owner's
// boundary before the import report flags it: simplified outlines (N03 at 1 %) cut
// corners by a few hundred metres.
const DefaultOwnershipToleranceM = 200

// ImportOptions control Store.Import.
type ImportOptions struct {
	// Format is csv, geojson or xroad; "" sniffs it (SniffImportFormat).
	Format string
	// FileName and ContentType help the sniffing (multipart file name, Content-Type).
	FileName, ContentType string
	// Partial writes the good records even when some are rejected; by default one
	// rejected record writes nothing (ErrImportRejected).
	Partial bool
	// ToleranceM for the consistency flags; 0 means DefaultOwnershipToleranceM.
	ToleranceM float64
	// DryRun checks the file and reports what would happen, writing nothing.
	DryRun bool
	// MaxRecords bounds the records of the file (0: DefaultMaxImportRecords; < 0: none)
	// and MaxInventory the assets of the inventory after the import (0:
	// DefaultMaxInventory; < 0: none); past either the import is an *ImportLimitError.
	MaxRecords, MaxInventory int
	// Codes selects municipalities (5 or 6 digits) out of a GeoJSON boundary file (N03
	// of a prefecture or the country): the other boundaries are left out; a code the
	// file does not have refuses the file.
	Codes []string
	// Join ("over_water") reads a CSV of id,over_water onto stored assets (import_join.go).
	Join string
}

// ImportCounts counts records by outcome.
type ImportCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportIssue is a record that was rejected (or skipped): where it is in the file (CSV
// line, 1-based; or feature, the 1-based position in a GeoJSON features[] or an xROAD
// result[]), the field at fault and why.
type ImportIssue struct {
	Line    int    `json:"line,omitempty"`
	Feature int    `json:"feature,omitempty"`
	Asset   string `json:"asset,omitempty"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
}

// ImportFlag is an asset that was imported but does not sit where its municipality
// code says (geo.CheckOwnership): outside its owner's boundary by more than the
// tolerance, or inside another municipality's.
type ImportFlag struct {
	Line         int     `json:"line,omitempty"`
	Feature      int     `json:"feature,omitempty"`
	Asset        string  `json:"asset"`
	Kind         string  `json:"kind"` // outside_owner or code_mismatch
	Municipality string  `json:"municipality"`
	FallsIn      string  `json:"falls_in,omitempty"`
	DistanceM    float64 `json:"distance_m"`
	Reason       string  `json:"reason"`
}

// ImportReport is the answer of an import. Created, Updated and Unchanged add up the
// assets and municipalities (boundaries) of the file; with Written false (a rejected
// record without Partial) they say what would have happened and nothing was written.
type ImportReport struct {
	Format         string        `json:"format"`
	Encoding       string        `json:"encoding,omitempty"`
	Partial        bool          `json:"partial"`
	Written        bool          `json:"written"`
	Records        int           `json:"records"` // CSV rows, features or xROAD results in the file
	Created        int           `json:"created"`
	Updated        int           `json:"updated"`
	Unchanged      int           `json:"unchanged"`
	Assets         ImportCounts  `json:"assets"`
	Municipalities ImportCounts  `json:"municipalities"`
	Rejected       []ImportIssue `json:"rejected"` // the first MaxListedIssues
	// RejectedCount counts the rejected records (a record failing on two fields counts
	// once); RejectedSummary groups the reasons by field and reason (import_limits.go).
	RejectedCount   int             `json:"rejected_count"`
	RejectedSummary []RejectedGroup `json:"rejected_summary"`
	Skipped         []ImportIssue   `json:"skipped"`
	Flagged         []ImportFlag    `json:"flagged"`
	IgnoredColumns  []string        `json:"ignored_columns,omitempty"`
	// CRS is the file's coordinate reference system when it was not WGS84 (GeoJSON crs).
	CRS string `json:"crs,omitempty"`
	// NotSelected counts the boundary features left out by Codes.
	NotSelected int `json:"not_selected,omitempty"`
	// Warnings say what the file lacks that the estimates use, once per kind, with the
	// number of records concerned and how to supply it.
	Warnings   []ImportWarning `json:"warnings"`
	ToleranceM float64         `json:"tolerance_m"`
}

// ErrImportRejected is returned with the report when records were rejected and the
// import was all-or-nothing: nothing was written.
var ErrImportRejected = errors.New("import rejected: nothing was written")

// ImportFileError is a file that cannot be read as the format at all (malformed JSON,
// no header row, unknown format): no record could be looked at.
type ImportFileError struct {
	Format string
	Msg    string
}

func (e *ImportFileError) Error() string {
	if e.Format == "" {
		return "import: " + e.Msg
	}
	return "import (" + e.Format + "): " + e.Msg
}

// assetField names the optional attributes a source may give; a field the source does
// not give keeps its stored value on update.
type assetField uint32

const (
	fName assetField = 1 << iota
	fLength
	fWidth
	fYearBuilt
	fHealth
	fLastInspection
	fOverRail
	fOverWater
	fCost
	fWorkload
	fEquipment
)

// assetRecord is one asset read from a file.
type assetRecord struct {
	line, feature int
	a             Asset
	has           assetField
	generatedID   bool // the file gave no id: StableAssetID made one
}

func (r *assetRecord) issue(field, format string, args ...any) ImportIssue {
	return ImportIssue{Line: r.line, Feature: r.feature, Asset: r.a.ID, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// muniRecord is one municipality boundary read from a file (N03 features of the same
// code merged).
type muniRecord struct {
	feature          int // first feature
	code, name, pref string
	geom             orb.Geometry
}

// parsed is what a format parser hands to the import transaction.
type parsed struct {
	records  int // data records in the file: CSV rows, features, xROAD results
	encoding string
	assets   []assetRecord
	munis    []muniRecord
	rejected []ImportIssue
	skipped  []ImportIssue
	ignored  []string
	crs      string // ImportCRS.Title when not WGS84
	// notSelected counts the boundary features ImportOptions.Codes left out.
	notSelected int
	warnings    []ImportWarning
}

// SniffImportFormat picks the format of a file: by the name's extension (.csv, .tsv,
// .txt → csv; .geojson → geojson), the content type (text/csv, application/geo+json),
// else by the content: JSON with a "result" array is xROAD, other JSON GeoJSON, anything
// else CSV.
func SniffImportFormat(body []byte, fileName, contentType string) string {
	switch strings.ToLower(path.Ext(fileName)) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV
	case ".geojson":
		return FormatGeoJSON
	}
	ct := strings.ToLower(contentType)
	switch {
	case strings.HasPrefix(ct, "text/csv"), strings.HasPrefix(ct, "text/tab-separated-values"):
		return FormatCSV
	case strings.HasPrefix(ct, "application/geo+json"):
		return FormatGeoJSON
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return FormatCSV
	}
	var probe struct {
		Type   string          `json:"type"`
		Result json.RawMessage `json:"result"`
	}
	if json.Unmarshal(t, &probe) == nil && probe.Type == "" && len(probe.Result) > 0 && probe.Result[0] == '[' {
		return FormatXROAD
	}
	return FormatGeoJSON
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Import reads a file of assets or municipality boundaries and upserts it in one
// transaction: assets by id (a field the file does not have keeps its stored value),
// municipalities by code (boundary; name, prefecture and office when the municipality is
// new, with its office depot). Every record is checked (known municipality, coordinates,
// numbers, a kind the cost model prices unless cost and workload are given); a rejected
// record writes nothing unless opt.Partial. Assets that do not sit inside their owner's
// boundary are flagged (not rejected). Importing the same file twice changes nothing:
// the second report counts every record unchanged.
func (s *Store) Import(ctx context.Context, body []byte, opt ImportOptions) (ImportReport, error) {
	format := strings.ToLower(strings.TrimSpace(opt.Format))
	if format == "" {
		format = SniffImportFormat(body, opt.FileName, opt.ContentType)
	}
	tol := opt.ToleranceM
	if tol <= 0 {
		tol = DefaultOwnershipToleranceM
	}
	rep := ImportReport{Format: format, Partial: opt.Partial, ToleranceM: tol, Warnings: []ImportWarning{},
		Rejected: []ImportIssue{}, Skipped: []ImportIssue{}, Flagged: []ImportFlag{}, RejectedSummary: []RejectedGroup{}}
	maxRecords := withDefault(opt.MaxRecords, DefaultMaxImportRecords)
	var p *parsed
	var err error
	switch {
	case len(opt.Codes) > 0 && format != FormatGeoJSON:
		return rep, &ImportFileError{Format: format, Msg: "codes selects municipalities of a GeoJSON (N03) boundary file; this file is " + format}
	case opt.Join != "" && opt.Join != JoinOverWater:
		return rep, &ImportFileError{Msg: fmt.Sprintf("join %q: only over_water can be joined", opt.Join)}
	case opt.Join != "" && format != FormatCSV:
		return rep, &ImportFileError{Format: format, Msg: "join=over_water reads a CSV of id,over_water"}
	case opt.Join != "":
		format = "csv"
		p, err = parseJoinCSV(body, maxRecords)
	case format == FormatCSV:
		p, err = parseCSV(body, maxRecords)
	case format == FormatGeoJSON:
		var codes map[string]bool
		if codes, err = selectedCodes(opt.Codes); err == nil {
			p, err = parseGeoJSON(body, maxRecords, codes)
		}
	case format == FormatXROAD:
		p, err = parseXROAD(body, maxRecords)
	default:
		return rep, &ImportFileError{Msg: fmt.Sprintf("unknown format %q (csv, geojson or xroad)", opt.Format)}
	}
	if err != nil {
		return rep, err
	}
	rep.Encoding, rep.IgnoredColumns = p.encoding, p.ignored
	rep.CRS, rep.NotSelected, rep.Warnings = p.crs, p.notSelected, append([]ImportWarning{}, p.warnings...)
	rep.Rejected = append(rep.Rejected, p.rejected...)
	rep.Skipped = append(rep.Skipped, p.skipped...)
	rep.Records = p.records
	stored, err := s.CostModel(ctx)
	if err != nil {
		return rep, err
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	defer tx.Rollback()

	// Municipalities (N03 boundaries) first: assets of the same file may name them.
	var muniWrites []Municipality
	var depotWrites []Depot
	newGeom := map[string]orb.Geometry{}
	for _, mr := range p.munis {
		gj, err := json.Marshal(geojson.NewGeometry(mr.geom))
		if err != nil {
			return rep, err
		}
		old, err := scanMunicipality(tx.QueryRowContext(ctx, "SELECT "+municipalityColumns+", boundary FROM municipalities WHERE code = ?", mr.code), true)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			office := geo.InteriorPoint(mr.geom)
			m := Municipality{Code: mr.code, Name: mr.name, Prefecture: mr.pref, Participates: true,
				OfficeName: mr.name, OfficeLon: office[0], OfficeLat: office[1], Boundary: gj}
			muniWrites = append(muniWrites, m)
			depotWrites = append(depotWrites, Depot{ID: OfficeDepotID(mr.code), Name: mr.name, Kind: DepotOffice,
				Municipality: mr.code, Lon: office[0], Lat: office[1]})
			rep.Municipalities.Created++
		case err != nil:
			return rep, fmt.Errorf("import: municipality %s: %w", mr.code, err)
		default:
			m := old
			m.Boundary = gj
			if m.Prefecture == "" {
				m.Prefecture = mr.pref
			}
			if m.OfficeLon == 0 && m.OfficeLat == 0 {
				office := geo.InteriorPoint(mr.geom)
				m.OfficeLon, m.OfficeLat = office[0], office[1]
			}
			if sameGeometryJSON(old.Boundary, gj) && reflect.DeepEqual(m, withBoundary(old, gj)) {
				rep.Municipalities.Unchanged++
			} else {
				muniWrites = append(muniWrites, m)
				rep.Municipalities.Updated++
			}
		}
		newGeom[mr.code] = mr.geom
	}

	known := map[string]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT code FROM municipalities")
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return rep, fmt.Errorf("import: %w", err)
		}
		known[c] = true
	}
	rows.Close()
	for c := range newGeom {
		known[c] = true
	}

	if opt.Join != "" {
		var rejected []ImportIssue
		if p.assets, rejected, err = joinStored(ctx, tx, p.assets); err != nil {
			return rep, err
		}
		rep.Rejected = append(rep.Rejected, rejected...)
	}

	// Assets: check, merge with the stored row, classify.
	var assetWrites []Asset
	var good []assetRecord
	firstSeen := map[string]assetRecord{}
	for _, r := range p.assets {
		if prev, dup := firstSeen[r.a.ID]; dup {
			where := fmt.Sprintf("line %d", prev.line)
			if prev.line == 0 {
				where = fmt.Sprintf("feature %d", prev.feature)
			}
			why := ""
			if r.generatedID {
				why = " (no id in the file: the same municipality, kind, name and position give the same id; give the records ids)"
			}
			rep.Rejected = append(rep.Rejected, r.issue("id", "asset id %s repeats the one of %s%s", r.a.ID, where, why))
			continue
		}
		firstSeen[r.a.ID] = r
		if !known[r.a.Municipality] {
			rep.Rejected = append(rep.Rejected, r.issue("municipality",
				"unknown municipality %s: import its boundary (N03) or create it first (POST /api/v1/municipalities)", r.a.Municipality))
			continue
		}
		old, err := scanAsset(tx.QueryRowContext(ctx, "SELECT "+assetColumns+" FROM assets WHERE id = ?", r.a.ID))
		exists := true
		if errors.Is(err, sql.ErrNoRows) {
			exists = false
		} else if err != nil {
			return rep, fmt.Errorf("import: asset %s: %w", r.a.ID, err)
		}
		merged := r.a
		if exists {
			merged = mergeAsset(old, r.a, r.has)
		}
		if probs := ValidateAsset(merged, stored.Model); len(probs) > 0 {
			for _, p := range probs { // the rules of every entrance (validate.go)
				rep.Rejected = append(rep.Rejected, r.issue(p.Path, "%s", p.Msg))
			}
			continue
		}
		r.a = merged
		good = append(good, r)
		switch {
		case !exists:
			rep.Assets.Created++
			assetWrites = append(assetWrites, merged)
		case sameAsset(old, merged):
			rep.Assets.Unchanged++
		default:
			rep.Assets.Updated++
			assetWrites = append(assetWrites, merged)
		}
	}

	// Consistency: every good asset against the boundaries in force after the import.
	flags, err := s.ownershipFlags(ctx, tx, good, newGeom, tol)
	if err != nil {
		return rep, err
	}
	rep.Flagged = append(rep.Flagged, flags...)
	// Parse and database checks found their rejections apart: report them in file order.
	sort.SliceStable(rep.Rejected, func(i, j int) bool {
		a, b := rep.Rejected[i], rep.Rejected[j]
		return a.Line+a.Feature < b.Line+b.Feature
	})
	summariseRejected(&rep)
	rep.Created = rep.Assets.Created + rep.Municipalities.Created
	rep.Updated = rep.Assets.Updated + rep.Municipalities.Updated
	rep.Unchanged = rep.Assets.Unchanged + rep.Municipalities.Unchanged
	if rep.RejectedCount > 0 && !opt.Partial {
		return rep, ErrImportRejected
	}
	if err := CheckInventoryRoom(ctx, tx, rep.Assets.Created, withDefault(opt.MaxInventory, DefaultMaxInventory)); err != nil {
		return rep, err
	}
	if opt.DryRun {
		return rep, nil // the deferred rollback ends the transaction; Written stays false
	}
	for _, m := range muniWrites {
		if err := putMunicipality(ctx, tx, m); err != nil {
			return rep, fmt.Errorf("import: %w", err)
		}
	}
	for _, d := range depotWrites {
		if _, err := tx.ExecContext(ctx, `INSERT INTO depots (id, name, kind, municipality, lon, lat) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, d.ID, d.Name, d.Kind, d.Municipality, d.Lon, d.Lat); err != nil {
			return rep, fmt.Errorf("import: depot %s: %w", d.ID, err)
		}
	}
	if err := putAssets(ctx, tx, assetWrites); err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return rep, fmt.Errorf("import: commit: %w", err)
	}
	rep.Written = true
	return rep, nil
}

func withBoundary(m Municipality, b json.RawMessage) Municipality {
	m.Boundary = b
	return m
}

// sameGeometryJSON compares two GeoJSON geometries by content (key order and spacing
// aside).
func sameGeometryJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// mergeAsset is the stored asset updated with the fields the file gives.
func mergeAsset(old, in Asset, has assetField) Asset {
	m := old
	m.Municipality, m.Kind, m.Lon, m.Lat = in.Municipality, in.Kind, in.Lon, in.Lat
	set := func(f assetField, apply func()) {
		if has&f != 0 {
			apply()
		}
	}
	set(fName, func() { m.Name = in.Name })
	set(fLength, func() { m.LengthM = in.LengthM })
	set(fWidth, func() { m.WidthM = in.WidthM })
	set(fYearBuilt, func() { m.YearBuilt = in.YearBuilt })
	set(fHealth, func() { m.Rating = in.Rating })
	set(fLastInspection, func() { m.LastInspectionFY = in.LastInspectionFY })
	set(fOverRail, func() { m.OverRail = in.OverRail })
	set(fOverWater, func() { m.OverWater = in.OverWater })
	set(fCost, func() { m.Cost = in.Cost })
	set(fWorkload, func() { m.Workload = in.Workload })
	set(fEquipment, func() { m.Equipment = in.Equipment })
	return m
}

// sameAsset compares two assets field by field (pointers by value).
func sameAsset(a, b Asset) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// ownershipFlags checks the assets against the municipalities' boundaries: those in the
// database, replaced by the ones of this import.
func (s *Store) ownershipFlags(ctx context.Context, tx *sql.Tx, recs []assetRecord, newGeom map[string]orb.Geometry, tol float64) ([]ImportFlag, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT code, name, boundary FROM municipalities ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("import: boundaries: %w", err)
	}
	var regions []geo.Region
	names := map[string]string{}
	for rows.Next() {
		var code, name string
		var b sql.NullString
		if err := rows.Scan(&code, &name, &b); err != nil {
			rows.Close()
			return nil, fmt.Errorf("import: boundaries: %w", err)
		}
		names[code] = name
		if _, replaced := newGeom[code]; replaced || !b.Valid {
			continue
		}
		g, err := geojson.UnmarshalGeometry([]byte(b.String))
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("import: boundary of municipality %s: %w", code, err)
		}
		regions = append(regions, geo.Region{Code: code, Name: name, Geometry: g.Geometry()})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for code, g := range newGeom {
		regions = append(regions, geo.Region{Code: code, Geometry: g})
	}
	pts := make([]geo.OwnedPoint, len(recs))
	for i, r := range recs {
		pts[i] = geo.OwnedPoint{ID: strconv.Itoa(i), Code: r.a.Municipality, At: orb.Point{r.a.Lon, r.a.Lat}}
	}
	label := func(code string) string {
		if n := names[code]; n != "" {
			return code + " " + n
		}
		return code
	}
	var out []ImportFlag
	for _, f := range geo.CheckOwnership(regions, pts, tol) {
		i, _ := strconv.Atoi(f.ID)
		r := recs[i]
		fl := ImportFlag{Line: r.line, Feature: r.feature, Asset: r.a.ID, Kind: string(f.Kind),
			Municipality: r.a.Municipality, FallsIn: f.FallsIn, DistanceM: float64(int(f.DistanceM + 0.5))}
		switch f.Kind {
		case geo.OutsideOwner, geo.CodeMismatch:
			fl.Reason = fmt.Sprintf("lies %s m outside the boundary of %s (tolerance %s m)", num(fl.DistanceM), label(r.a.Municipality), num(tol))
			if f.FallsIn != "" {
				fl.Reason += ", inside " + label(f.FallsIn)
			}
		case geo.UnknownOwner:
			if f.FallsIn == "" {
				continue // an owner without a boundary, and no other claims the place: nothing to check
			}
			fl.Kind = string(geo.CodeMismatch)
			fl.Reason = fmt.Sprintf("%s has no boundary to check against; the point lies inside %s", label(r.a.Municipality), label(f.FallsIn))
		default:
			continue
		}
		out = append(out, fl)
	}
	return out, nil
}

// StableAssetID is the id of an asset whose source gives none: the 5-digit code and the
// first 10 hex digits of SHA-256 over code, kind, name and the position rounded to 5
// decimals (about 1 m), so that the same record imported again gets the same id.
func StableAssetID(code, kind, name string, lon, lat float64) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%s|%.5f|%.5f", code, kind, name, lat, lon)))
	return code + "-h" + hex.EncodeToString(h[:5])
}

// selectedCodes reads ImportOptions.Codes as 5-digit codes (nil when none).
func selectedCodes(list []string) (map[string]bool, error) {
	if len(list) == 0 {
		return nil, nil
	}
	codes := map[string]bool{}
	for _, c := range list {
		code, err := NormalizeMunicipalityCode(c)
		if err != nil {
			return nil, &ImportFileError{Format: FormatGeoJSON, Msg: "codes: " + err.Error()}
		}
		codes[code] = true
	}
	return codes, nil
}

// ImportWarning is something the file lacks that the estimates use: said once, with the
// number of records concerned and how to supply it.
type ImportWarning struct {
	Field   string `json:"field"`
	Count   int    `json:"count"`
	Message string `json:"message"`
}
