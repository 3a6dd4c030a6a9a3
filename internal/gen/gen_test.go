package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"math"
	"testing"

	"github.com/tabane/tabane/solver"
)

func generate(t *testing.T, o Options) []byte {
	t.Helper()
	data, err := Generate(o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return data
}

func small(seed uint64) Options {
	o := Defaults()
	o.Seed, o.Munis, o.Assets, o.Spread = seed, 6, 40, 15
	return o
}

// TestGenerateDeterministic: the same options give byte-identical output, another seed
// another instance.
func TestGenerateDeterministic(t *testing.T) {
	o := small(11)
	a, b := generate(t, o), generate(t, o)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with seed 11 differ")
	}
	if c := generate(t, small(12)); bytes.Equal(a, c) {
		t.Fatal("seeds 11 and 12 give the same instance")
	}
	o.Programme, o.Budgets = 5, 1.3
	if p1, p2 := generate(t, o), generate(t, o); !bytes.Equal(p1, p2) || bytes.Equal(p1, a) {
		t.Fatal("--programme 5: two runs differ, or the output is the version-1 instance")
	}
}

// BenchmarkGenerate: the default, Nara-sized instance (39 municipalities, 1,000 assets).
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Defaults()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGenerateGolden pins one small instance: a change of the generator's draws or of the
// output format shows here (update the hash only on purpose).
func TestGenerateGolden(t *testing.T) {
	data := generate(t, small(11))
	sum := sha256.Sum256(data)
	const want = "96b39b8712bdd3dfb77b209c416b22810bbc4358b9d41111b95d6dab320e4243"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("sha256 of --seed 11 --munis 6 --assets 40 --spread 15 = %s, want %s", got, want)
	}
	if !bytes.HasSuffix(data, []byte("}\n")) || bytes.Count(data, []byte("\n")) != 1 {
		t.Errorf("want one line of JSON and a newline")
	}
}

// TestGenerateValid: the instance parses and compiles, with the counts asked for.
func TestGenerateValid(t *testing.T) {
	for _, c := range []struct {
		name string
		tune func(*Options)
	}{
		{"small", func(*Options) {}},
		{"districts 3, IR, max distance 50", func(o *Options) { o.Districts, o.IR, o.MaxDistance = 3, true, 50 }},
		{"one municipality, no assets", func(o *Options) { o.Munis, o.Assets = 1, 0 }},
		{"nobody participates", func(o *Options) { o.Participation = 0 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := small(5)
			c.tune(&o)
			inst, err := solver.ParseInstance(generate(t, o))
			if err != nil {
				t.Fatal(err)
			}
			m, err := solver.Compile(inst)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if inst.Version != 1 || len(inst.Municipalities) != o.Munis || len(inst.Depots) != o.Munis+o.Districts {
				t.Errorf("version %d, %d municipalities, %d depots; want 1, %d, %d",
					inst.Version, len(inst.Municipalities), len(inst.Depots), o.Munis, o.Munis+o.Districts)
			}
			generated, plants := 0, 0
			for _, a := range inst.Assets {
				if a.Kind == "sewer_plant" {
					plants++
				} else {
					generated++
				}
			}
			// One sewer plant at most per municipality, the rest exactly as many as asked.
			if generated != o.Assets || plants > o.Munis {
				t.Errorf("%d assets and %d sewer plants; want %d and at most %d", generated, plants, o.Assets, o.Munis)
			}
			regions := map[string]bool{}
			for _, mu := range inst.Municipalities {
				regions[mu.Region] = true
			}
			if len(regions) > o.Districts {
				t.Errorf("%d regions for %d districts", len(regions), o.Districts)
			}
			l := inst.Params.Limits
			if *l.MaxDistanceKm != o.MaxDistance || inst.Params.RequireIndividualRationality != o.IR || *l.MinValue != 8e6 {
				t.Errorf("limits %+v, IR %v", l, inst.Params.RequireIndividualRationality)
			}
			if o.Participation == 0 && len(m.Participating) != 0 {
				t.Errorf("%d participating assets with participation 0", len(m.Participating))
			}
		})
	}
}

// TestGenerateShape: on a Nara-sized instance the statistics are those of the kind of
// prefecture the generator draws (bounds a few standard errors wide around the shares).
func TestGenerateShape(t *testing.T) {
	inst, err := solver.ParseInstance(generate(t, Defaults()))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, a := range inst.Assets {
		kinds[a.Kind]++
	}
	if b := kinds["bridge"]; b < 760 || b > 840 { // 80 % of 1,000, σ ≈ 13
		t.Errorf("%d bridges of 1,000 assets, want about 800", b)
	}
	if p := kinds["sewer_plant"]; p < 8 || p > 30 { // 39 municipalities × 0.35…0.55
		t.Errorf("%d sewer plants, want about 18", p)
	}
	part := 0
	for _, mu := range inst.Municipalities {
		if mu.Participating() {
			part++
		}
	}
	if part < 30 || part > 39 { // 90 % of 39, σ ≈ 1.9
		t.Errorf("%d of 39 municipalities participate, want about 35", part)
	}
}

// TestGenerateProgramme: --programme writes a version-2 instance by docs/programme.md whose
// version-1 part is the instance without --programme.
func TestGenerateProgramme(t *testing.T) {
	o := small(201)
	o.Munis, o.Assets, o.Spread, o.Programme, o.Budgets, o.YearCap = 10, 120, 18, 5, 1.3, 1.1
	data := generate(t, o)
	inst, err := solver.ParseInstance(data)
	if err != nil {
		t.Fatal(err)
	}
	var v2 struct {
		Version   int       `json:"version"`
		Name      string    `json:"name"`
		Programme programme `json:"programme"`
		Assets    []struct {
			ID               string `json:"id"`
			LastInspectionFY *int   `json:"last_inspection_fy"`
		} `json:"assets"`
	}
	if err := json.Unmarshal(data, &v2); err != nil {
		t.Fatal(err)
	}
	p := v2.Programme
	if v2.Version != 2 || inst.Version != 2 || v2.Name != "synthetic-s201-m10-n120-p5" || p.FirstFY != 2026 || p.Years != 5 ||
		p.CycleYears != 5 || p.AdvanceMaxYears != 2 || p.ContractYears != 1 || p.YearLimits == nil || p.YearLimits.MaxValue <= 0 {
		t.Errorf("version %d, name %q, programme %+v", v2.Version, v2.Name, p)
	}
	// Budgets and the year cap by their formulas: a participating municipality with assets
	// gets 1.3 × (its direct cost / 5) + ¥3M; the cap is 1.1 × (participating direct cost / 5
	// years + F × depots / 3).
	part := map[string]bool{}
	for _, mu := range inst.Municipalities {
		part[mu.Code] = mu.Participating()
	}
	byMuni, direct := map[string]float64{}, 0.0
	for _, a := range inst.Assets {
		byMuni[a.Municipality] += a.Cost
		if part[a.Municipality] {
			direct += a.Cost
		}
	}
	want := map[string]float64{}
	for code, v := range byMuni {
		if part[code] {
			want[code] = math.Round(1.3*v/5 + 3e6)
		}
	}
	if !maps.Equal(p.Budgets, want) || len(want) == 0 {
		t.Errorf("budgets %v, want %v", p.Budgets, want)
	}
	if cap := math.Round(1.1 * (direct/5 + 2e6*float64(len(inst.Depots))/3)); p.YearLimits.MaxValue != cap {
		t.Errorf("year cap %v, want %v", p.YearLimits.MaxValue, cap)
	}
	for _, a := range v2.Assets {
		if a.LastInspectionFY != nil && (*a.LastInspectionFY < 2021 || *a.LastInspectionFY > 2025) {
			t.Errorf("asset %s: last inspection FY%d, want FY2021–2025 (the last cycle)", a.ID, *a.LastInspectionFY)
		}
	}
	// The programme draws from its own stream: the version-1 part is unchanged.
	o1 := o
	o1.Programme = 0
	plain, err := solver.ParseInstance(generate(t, o1))
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Assets) != len(inst.Assets) || plain.Assets[7].Cost != inst.Assets[7].Cost || plain.Assets[7].Lon != inst.Assets[7].Lon {
		t.Errorf("the programme changed the version-1 part")
	}
}

// TestGenerateRejects: every invalid option is refused with the flag it concerns.
func TestGenerateRejects(t *testing.T) {
	for _, c := range []struct {
		tune func(*Options)
		want string
	}{
		{func(o *Options) { o.Munis = 0 }, "--munis must be at least 1, got 0"},
		{func(o *Options) { o.Assets = -1 }, "--assets must be at least 0, got -1"},
		{func(o *Options) { o.Districts = 0 }, "--districts must be at least 1, got 0"},
		{func(o *Options) { o.Spread = 0 }, "--spread must be a positive number of km, got 0"},
		{func(o *Options) { o.MaxDistance = -3 }, "--max-distance must be a positive number of km, got -3"},
		{func(o *Options) { o.Participation = 1.5 }, "--participation must be between 0 and 1, got 1.5"},
		{func(o *Options) { o.Lat = 89 }, "--lon must be within ±180 and --lat within ±80, got 135.83, 89"},
		{func(o *Options) { o.Programme = 6 }, "--programme must be between 0 and 5 (the inspection cycle), got 6"},
		{func(o *Options) { o.Programme, o.ContractYears = 5, 2 }, "--programme 5 must be a multiple of --contract-years, got 2"},
		{func(o *Options) { o.Programme, o.Advance = 5, -1 }, "--advance must be at least 0, got -1"},
		{func(o *Options) { o.Programme, o.Budgets = 5, -1 }, "--budgets must be 0 or a positive factor, got -1"},
	} {
		o := small(1)
		c.tune(&o)
		_, err := Generate(o)
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v: error %v, want %q", o, err, c.want)
		}
	}
	if _, err := Generate(small(1)); err != nil {
		t.Errorf("valid options refused: %v", err)
	}
}
