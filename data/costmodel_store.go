package data

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tabane/tabane/solver"
)

// The cost model is one JSON document stored in the meta table under this key (no
// schema change: it is a setting of the database, like the demo marker). Absent means
// the defaults of DefaultCostModel.
const costModelKey = "cost_model"

// StoredCostModel is the cost model in force and whether it is the built-in default.
type StoredCostModel struct {
	Model     *CostModel
	IsDefault bool
	UpdatedAt string // RFC 3339 UTC; "" for the default
}

type storedCostModelJSON struct {
	Model     json.RawMessage `json:"model"`
	UpdatedAt string          `json:"updated_at"`
}

// CostModel returns the cost model in force: the one saved with PutCostModel, or
// DefaultCostModel when none was saved.
func (s *Store) CostModel(ctx context.Context) (StoredCostModel, error) {
	raw, err := s.Meta(ctx, costModelKey)
	if err != nil {
		return StoredCostModel{}, fmt.Errorf("cost model: %w", err)
	}
	if raw == "" {
		return StoredCostModel{Model: DefaultCostModel(), IsDefault: true}, nil
	}
	var st storedCostModelJSON
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return StoredCostModel{}, fmt.Errorf("cost model: stored value in meta.%s: %w", costModelKey, err)
	}
	cm := &CostModel{}
	if err := json.Unmarshal(st.Model, cm); err != nil {
		return StoredCostModel{}, fmt.Errorf("cost model: stored value in meta.%s: %w", costModelKey, err)
	}
	return StoredCostModel{Model: cm, UpdatedAt: st.UpdatedAt}, nil
}

// PutCostModel validates and saves the cost model; nil restores the defaults. The
// problems of an invalid model come back as a *solver.ValidationError with field paths.
func (s *Store) PutCostModel(ctx context.Context, cm *CostModel) (StoredCostModel, error) {
	if cm == nil {
		if _, err := s.db.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", costModelKey); err != nil {
			return StoredCostModel{}, fmt.Errorf("cost model: %w", err)
		}
		return StoredCostModel{Model: DefaultCostModel(), IsDefault: true}, nil
	}
	if probs := ValidateCostModel(cm); len(probs) > 0 {
		return StoredCostModel{}, &solver.ValidationError{Problems: probs}
	}
	model, err := json.Marshal(cm)
	if err != nil {
		return StoredCostModel{}, err
	}
	st := storedCostModelJSON{Model: model, UpdatedAt: now()}
	b, _ := json.Marshal(st)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, costModelKey, string(b)); err != nil {
		return StoredCostModel{}, fmt.Errorf("cost model: %w", err)
	}
	return StoredCostModel{Model: cm, UpdatedAt: st.UpdatedAt}, nil
}

// ParseCostModel reads a cost model in which omitted top-level fields take the
// defaults, and so do omitted kinds; a kind that is given is taken as written (its
// omitted fields are 0). Unknown fields are refused with their path.
func ParseCostModel(raw []byte) (*CostModel, error) {
	cm := DefaultCostModel()
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return cm, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cm); err != nil {
		var typ *json.UnmarshalTypeError
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &typ):
			return nil, &solver.ValidationError{Problems: []solver.InputError{{Path: typ.Field,
				Msg: fmt.Sprintf("expected %s, found %s", jsonKind(typ.Type.String()), typ.Value)}}}
		case errors.As(err, &syn):
			return nil, fmt.Errorf("cost model: malformed JSON at byte %d: %w", syn.Offset, err)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return nil, &solver.ValidationError{Problems: []solver.InputError{{Path: name,
				Msg: "unknown field (fields: " + strings.Join(costModelFields(), ", ") + ")"}}}
		}
		return nil, fmt.Errorf("cost model: %w", err)
	}
	return cm, nil
}

func costModelFields() []string {
	b, _ := json.Marshal(DefaultCostModel())
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	return sortedKeys(m)
}

// equipmentName is the form of an equipment name in a file (the CSV parser checks it
// before ValidateAsset checks the name has a price).
var equipmentName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
