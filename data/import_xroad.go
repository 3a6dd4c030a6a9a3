package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// xroadMunicipalOwners are the owner classes (syogen.kanrisya.kubun, 管理区分) of
// municipalities in the national road-structure databases: 4 a designated city (政令市),
// 5 another municipality (市区町村). Records of other owners — 1 the national government,
// 2 a prefecture, 3 a road corporation (道路公社), 6 an expressway company — are skipped,
// not rejected: a municipality's xROAD answer lists every bridge on its territory. (The
// classes are those of the road databases' published API, e.g. JICE's pavement DB.)
var xroadMunicipalOwners = map[string]bool{"4": true, "5": true}

// xroadRecord holds the fields of one result[] record that tabane reads (DOMAIN.md).
// Numbers may come as JSON numbers or strings, so they are read as raw values.
type xroadRecord struct {
	Syogen struct {
		Shisetsu struct {
			Meisyou string `json:"meisyou"`
		} `json:"shisetsu"`
		Kyouchou     json.RawMessage `json:"kyouchou"`
		Fukuin       json.RawMessage `json:"fukuin"`
		KasetsuNendo json.RawMessage `json:"kasetsu_nendo"`
		Kanrisya     struct {
			Kubun   json.RawMessage `json:"kubun"`
			Meisyou string          `json:"meisyou"`
		} `json:"kanrisya"`
		GyouseiKuiki struct {
			ShikuchousonCode json.RawMessage `json:"shikuchouson_code"`
		} `json:"gyousei_kuiki"`
		Ichi struct {
			Ido   json.RawMessage `json:"ido"`
			Keido json.RawMessage `json:"keido"`
		} `json:"ichi"`
	} `json:"syogen"`
	Tenken struct {
		Nendo  json.RawMessage `json:"nendo"`
		Kiroku struct {
			HanteiKubun json.RawMessage `json:"hantei_kubun"`
		} `json:"kiroku"`
	} `json:"tenken"`
}

// rawText is a JSON string or number as text ("" for null or absent).
func rawText(r json.RawMessage) string {
	r = bytes.TrimSpace(r)
	if len(r) == 0 || string(r) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(r, &s) == nil {
		return strings.TrimSpace(s)
	}
	return string(r)
}

// parseXROAD reads an xROAD answer ({"result": [...]}) of road bridges. Each record of a
// municipal owner becomes a bridge: name, length, width, year built, location, last
// inspection fiscal year and rating (hantei_kubun 1–4 = I–IV; other values, such as 8,
// and inspection year 0 mean not rated). xROAD has no asset id (shisetsu_id is the
// position), so the id is StableAssetID(code, "bridge", name, lon, lat).
func parseXROAD(body []byte, maxRecords int) (*parsed, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	var doc struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, &ImportFileError{Format: FormatXROAD, Msg: "not JSON: " + err.Error()}
	}
	if doc.Result == nil {
		return nil, &ImportFileError{Format: FormatXROAD, Msg: `no "result" array (an xROAD answer is {"result": [...]})`}
	}
	if err := checkRecordCount(len(doc.Result), maxRecords); err != nil {
		return nil, err
	}
	p := &parsed{encoding: "utf-8", records: len(doc.Result)}
	for i, raw := range doc.Result {
		n := i + 1
		var rec xroadRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			p.rejected = append(p.rejected, ImportIssue{Feature: n, Field: "result", Reason: "malformed record: " + err.Error()})
			continue
		}
		sy := rec.Syogen
		if kubun := rawText(sy.Kanrisya.Kubun); !xroadMunicipalOwners[kubun] {
			p.skipped = append(p.skipped, ImportIssue{Feature: n, Field: "syogen.kanrisya.kubun",
				Reason: fmt.Sprintf("owner class %s (%s) is not a municipality (4 政令市 or 5 市区町村)", kubun, sy.Kanrisya.Meisyou)})
			continue
		}
		values := map[string]string{
			"municipality": rawText(sy.GyouseiKuiki.ShikuchousonCode),
			"kind":         "bridge",
			"name":         sy.Shisetsu.Meisyou,
			"lon":          rawText(sy.Ichi.Keido),
			"lat":          rawText(sy.Ichi.Ido),
			"length_m":     rawText(sy.Kyouchou),
			"width_m":      rawText(sy.Fukuin),
			"year_built":   rawText(sy.KasetsuNendo),
		}
		fy := rawText(rec.Tenken.Nendo)
		if fy == "0" {
			fy = ""
		}
		values["last_inspection_fy"] = fy
		h := rawText(rec.Tenken.Kiroku.HanteiKubun)
		if v, err := strconv.Atoi(h); err != nil || v < 1 || v > 4 {
			h = "" // 8 and other codes: not rated
		}
		values["health"] = h
		ar, issues := assetFromValues(values)
		ar.feature = n
		if len(issues) > 0 {
			for _, is := range issues {
				is.Feature, is.Asset = n, ar.a.ID
				is.Field = xroadField[is.Field]
				p.rejected = append(p.rejected, is)
			}
			continue
		}
		ar.a.ID = StableAssetID(ar.a.Municipality, "bridge", ar.a.Name, ar.a.Lon, ar.a.Lat)
		ar.generatedID = true
		p.assets = append(p.assets, ar)
	}
	if len(p.assets) > 0 {
		p.warnings = append(p.warnings, xroadOverWaterWarning(len(p.assets)))
	}
	return p, nil
}

// xroadField names the xROAD field behind each asset field, for the report.
var xroadField = map[string]string{
	"municipality":       "syogen.gyousei_kuiki.shikuchouson_code",
	"name":               "syogen.shisetsu.meisyou",
	"lon":                "syogen.ichi.keido",
	"lat":                "syogen.ichi.ido",
	"length_m":           "syogen.kyouchou",
	"width_m":            "syogen.fukuin",
	"year_built":         "syogen.kasetsu_nendo",
	"last_inspection_fy": "tenken.nendo",
	"health":             "tenken.kiroku.hantei_kubun",
	"kind":               "kind",
}
