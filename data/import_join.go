package data

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
)

// JoinOverWater is the one field an import can join onto stored assets by id
// (ImportOptions.Join): xROAD and many ledgers do not say whether a bridge spans water,
// which the estimator needs to price a boat.
const JoinOverWater = "over_water"

// xroadOverWaterWarning says, once, that an xROAD file lacks the over-water field and
// how to supply it.
func xroadOverWaterWarning(bridges int) ImportWarning {
	return ImportWarning{Field: JoinOverWater, Count: bridges, Message: fmt.Sprintf(
		"xROAD has no over-water field: none of these %d bridge(s) is estimated with a boat; "+
			"supply it with POST /api/v1/imports?join=over_water and a CSV of id,over_water "+
			"(the ids are those of GET /api/v1/assets)", bridges)}
}

// parseJoinCSV reads a CSV of id and over_water (any header names importColumns knows;
// other columns ignored) as records that carry only those two fields.
func parseJoinCSV(body []byte, maxRecords int) (*parsed, error) {
	text, enc, err := decodeText(body)
	if err != nil {
		return nil, &ImportFileError{Format: FormatCSV, Msg: err.Error()}
	}
	p := &parsed{encoding: enc}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, &ImportFileError{Format: FormatCSV, Msg: "join=over_water: expected a header row id,over_water: " + err.Error()}
	}
	idCol, owCol := -1, -1
	for i, h := range header {
		switch importColumns[foldColumn(h)] {
		case "id":
			idCol = i
		case JoinOverWater:
			owCol = i
		default:
			if strings.TrimSpace(h) != "" {
				p.ignored = append(p.ignored, strings.TrimSpace(h))
			}
		}
	}
	if idCol < 0 || owCol < 0 {
		return nil, &ImportFileError{Format: FormatCSV, Msg: fmt.Sprintf("join=over_water: line 1: the header %q needs the columns id and over_water", strings.Join(header, ","))}
	}
	err = eachCSVRow(r, p, maxRecords, len(header), func(rec []string, line int) {
		ar := assetRecord{line: line, has: fOverWater}
		ar.a.ID = strings.TrimSpace(rec[idCol])
		v, err := parseBool(rec[owCol])
		switch {
		case ar.a.ID == "":
			p.rejected = append(p.rejected, ar.issue("id", "is required"))
		case err != nil:
			p.rejected = append(p.rejected, ar.issue(JoinOverWater, "%q: %v", rec[owCol], err))
		default:
			ar.a.OverWater = v
			p.assets = append(p.assets, ar)
		}
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// joinStored completes join records with the stored assets they name: a record keeps
// only its joined field; an id the inventory does not have is rejected.
func joinStored(ctx context.Context, tx *sql.Tx, recs []assetRecord) (kept []assetRecord, rejected []ImportIssue, err error) {
	for _, r := range recs {
		old, err := scanAsset(tx.QueryRowContext(ctx, "SELECT "+assetColumns+" FROM assets WHERE id = ?", r.a.ID))
		if errors.Is(err, sql.ErrNoRows) {
			rejected = append(rejected, r.issue("id", "asset %s is not in the inventory (join=over_water updates stored assets only)", r.a.ID))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("import: asset %s: %w", r.a.ID, err)
		}
		old.OverWater = r.a.OverWater
		r.a = old
		kept = append(kept, r)
	}
	return kept, rejected, nil
}
