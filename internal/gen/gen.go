// Package gen makes synthetic prefecture instances for benchmarks and tests (`tabane gen`):
// a basin of dense towns and a wide mountain area of villages, bridges along valley roads,
// each asset owned by the municipality whose office is nearest, sewer plants, and district
// depots. The output is an instance of docs/model.md (version 1), or with Programme > 0 a
// version-2 programme instance. Everything is drawn from one PCG stream seeded by Seed, so
// the same options give byte-identical output on every machine.
//
// The shape follows the independent generator the public benchmark instances were made
// with; the random numbers differ (Go's PCG is not Python's Mersenne Twister), so
// `tabane gen --seed 11 …` does not reproduce p-tiny, only an instance of the same kind.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/tabane/tabane/solver"
)

// Options are the generator's knobs; Defaults gives the values of `tabane gen` without flags.
type Options struct {
	Seed          uint64
	Munis         int     // municipalities
	Assets        int     // assets besides the sewer plants (about one municipality in two has one more)
	Lon, Lat      float64 // centre of the area, degrees
	Spread        float64 // half-size of the mountain area, km
	Districts     int     // prefectural district offices (depots besides the municipal offices)
	Name          string  // instance name; "" names it after the options
	Participation float64 // probability that a municipality participates
	MaxDistance   float64 // limits.max_distance_km
	IR            bool    // require individual rationality

	// Programme > 0 writes a version-2 instance over that many fiscal years (at most 5).
	Programme     int
	FirstFY       int
	ContractYears int     // lot length in years; Programme must be a multiple of it
	Advance       int     // advance_max_years
	YearCap       float64 // year_limits.max_value = YearCap × (direct cost / years + F × depots / 3); 0: none
	Budgets       float64 // each municipality's yearly budget = Budgets × (its direct cost / 5) + ¥3M; 0: none
}

// Defaults are a Nara-sized prefecture: 39 municipalities, 1,000 assets.
func Defaults() Options {
	return Options{Seed: 1, Munis: 39, Assets: 1000, Lon: 135.83, Lat: 34.35, Spread: 45,
		Districts: 5, Participation: 0.9, MaxDistance: 35, FirstFY: 2026, ContractYears: 1, Advance: 2}
}

// Validate reports the first option that cannot make an instance, naming the flag.
func (o Options) Validate() error {
	switch {
	case o.Munis < 1:
		return fmt.Errorf("--munis must be at least 1, got %d", o.Munis)
	case o.Assets < 0:
		return fmt.Errorf("--assets must be at least 0, got %d", o.Assets)
	case o.Districts < 1:
		return fmt.Errorf("--districts must be at least 1, got %d", o.Districts)
	case !(o.Spread > 0) || math.IsInf(o.Spread, 0):
		return fmt.Errorf("--spread must be a positive number of km, got %v", o.Spread)
	case !(o.MaxDistance > 0) || math.IsInf(o.MaxDistance, 0):
		return fmt.Errorf("--max-distance must be a positive number of km, got %v", o.MaxDistance)
	case !(o.Participation >= 0 && o.Participation <= 1):
		return fmt.Errorf("--participation must be between 0 and 1, got %v", o.Participation)
	case !(o.Lon >= -180 && o.Lon <= 180) || !(o.Lat >= -80 && o.Lat <= 80):
		// Beyond ±80° a degree of longitude is too short for km_to_deg to stay sensible.
		return fmt.Errorf("--lon must be within ±180 and --lat within ±80, got %v, %v", o.Lon, o.Lat)
	case o.Programme < 0 || o.Programme > cycleYears:
		return fmt.Errorf("--programme must be between 0 and %d (the inspection cycle), got %d", cycleYears, o.Programme)
	}
	if o.Programme == 0 {
		return nil
	}
	switch {
	case o.ContractYears < 1 || o.Programme%o.ContractYears != 0:
		return fmt.Errorf("--programme %d must be a multiple of --contract-years, got %d", o.Programme, o.ContractYears)
	case o.Advance < 0:
		return fmt.Errorf("--advance must be at least 0, got %d", o.Advance)
	case !(o.YearCap >= 0) || math.IsInf(o.YearCap, 0):
		return fmt.Errorf("--year-cap must be 0 or a positive factor, got %v", o.YearCap)
	case !(o.Budgets >= 0) || math.IsInf(o.Budgets, 0):
		return fmt.Errorf("--budgets must be 0 or a positive factor, got %v", o.Budgets)
	}
	return nil
}

const (
	cycleYears   = 5          // statutory inspection interval
	kmPerDegLat  = 110.574    // km per degree of latitude
	kmPerDegLon  = 111.320    // km per degree of longitude at the equator
	fixedCost    = 2000000    // contract_fixed_cost (F)
	programmePCG = 0x70726f67 // PCG stream of the programme's inspection history ("prog")
	instancePCG  = 0x74616261 // PCG stream of the instance itself ("taba")
)

// office is a municipality's office in km from the centre, in the basin or the mountains.
type office struct {
	x, y  float64
	basin bool
}

// road is a valley road leaving an office: its direction (radians) and length (km).
type road struct{ angle, length float64 }

// Generate returns the instance JSON (one line and a newline) for valid options.
func Generate(o Options) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	g := &generator{o: o, rnd: rand.New(rand.NewPCG(o.Seed, instancePCG))}
	out := output{Instance: g.instance()}
	if o.Programme > 0 {
		out.Programme = g.programme(out.Instance)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("gen: encoding the instance: %w", err)
	}
	return buf.Bytes(), nil
}

type generator struct {
	o   Options
	rnd *rand.Rand
}

func (g *generator) uniform(a, b float64) float64 { return a + (b-a)*g.rnd.Float64() }
func (g *generator) gauss(mu, sigma float64) float64 {
	return mu + sigma*g.rnd.NormFloat64()
}
func (g *generator) lognormal(mu, sigma float64) float64 { return math.Exp(g.gauss(mu, sigma)) }

// point converts km east and north of the centre to a position rounded to 6 decimals (≈0.1 m).
func (g *generator) point(dx, dy float64) (lon, lat float64) {
	lon = g.o.Lon + dx/(kmPerDegLon*math.Cos(g.o.Lat*math.Pi/180))
	lat = g.o.Lat + dy/kmPerDegLat
	return round(lon, 6), round(lat, 6)
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// nearest is the index of the point closest to (x, y); the first on ties.
func nearest(n int, at func(int) (float64, float64), x, y float64) int {
	best, bd := 0, math.Inf(1)
	for i := range n {
		px, py := at(i)
		if d := (px-x)*(px-x) + (py-y)*(py-y); d < bd {
			best, bd = i, d
		}
	}
	return best
}

func (g *generator) instance() *solver.Instance {
	o, s := g.o, g.o.Spread
	// Offices: 60 % in the basin (north-west), the rest spread over the mountains (south, east).
	offices := make([]office, o.Munis)
	for i := range offices {
		if g.rnd.Float64() < 0.6 {
			offices[i] = office{g.gauss(-0.35*s, 0.17*s), g.gauss(0.45*s, 0.2*s), true}
		} else {
			offices[i] = office{g.uniform(-s, s), g.uniform(-1.1*s, 0.3*s), false}
		}
	}
	officeAt := func(i int) (float64, float64) { return offices[i].x, offices[i].y }
	codes := make([]string, o.Munis)
	for i := range codes {
		codes[i] = fmt.Sprintf("%05d", 29001+2*i) // synthetic 5-digit codes, Nara's numbering
	}
	// District offices spread by farthest-point sampling over the offices, then jittered.
	dist := [][2]float64{{offices[0].x, offices[0].y}}
	for len(dist) < o.Districts {
		best, bd := 0, -1.0
		for i, of := range offices {
			d := math.Inf(1)
			for _, p := range dist {
				d = min(d, math.Hypot(of.x-p[0], of.y-p[1]))
			}
			if d > bd {
				best, bd = i, d
			}
		}
		dist = append(dist, [2]float64{offices[best].x, offices[best].y})
	}
	for k := range dist {
		dist[k][0] += g.uniform(-2, 2)
		dist[k][1] += g.uniform(-2, 2)
	}
	distAt := func(k int) (float64, float64) { return dist[k][0], dist[k][1] }

	munis := make([]solver.Municipality, o.Munis)
	for i, of := range offices {
		lon, lat := g.point(of.x, of.y)
		prefix := "村" // village
		if of.basin {
			prefix = "町" // town
		}
		participates := g.rnd.Float64() < o.Participation
		munis[i] = solver.Municipality{Code: codes[i], Name: fmt.Sprintf("%s%02d", prefix, i+1),
			Region:       fmt.Sprintf("R%d", nearest(len(dist), distAt, of.x, of.y)+1),
			Participates: &participates, Office: solver.Point{Lon: lon, Lat: lat}}
	}
	// Asset density: log-normal per municipality, mountain ones 1.3× (long valley roads).
	weights := make([]float64, o.Munis)
	total := 0.0
	for i, of := range offices {
		weights[i] = g.lognormal(0, 0.7)
		if !of.basin {
			weights[i] *= 1.3
		}
		total += weights[i]
	}
	roads := make([][]road, o.Munis)
	for i, of := range offices {
		n, maxLen := 1, 18.0
		if !of.basin {
			n, maxLen = 2+g.rnd.IntN(2), 30
		}
		for range n {
			roads[i] = append(roads[i], road{g.uniform(0, 2*math.Pi), g.uniform(6, maxLen)})
		}
	}

	assets := make([]solver.Asset, 0, o.Assets+o.Munis)
	for j := range o.Assets {
		r := g.rnd.Float64() * total
		i := 0
		for i < len(weights)-1 && r > weights[i] {
			r -= weights[i]
			i++
		}
		of := offices[i]
		var x, y float64
		if of.basin || g.rnd.Float64() < 0.3 {
			sigma := 5.0
			if of.basin {
				sigma = 2.5
			}
			x, y = g.gauss(of.x, sigma), g.gauss(of.y, sigma)
		} else { // along one of the valley roads, winding
			rd := roads[i][g.rnd.IntN(len(roads[i]))]
			t := g.rnd.Float64() * rd.length
			ang := rd.angle + math.Sin(t/4)*0.3
			x = of.x + t*math.Cos(ang) + g.gauss(0, 0.6)
			y = of.y + t*math.Sin(ang) + g.gauss(0, 0.6)
		}
		owner := nearest(len(offices), officeAt, x, y)
		a := g.asset(g.kind())
		a.ID, a.Municipality = fmt.Sprintf("A%06d", j+1), codes[owner]
		a.Lon, a.Lat = g.point(x, y)
		assets = append(assets, a)
	}
	// Sewer plants near some offices: more often in the basin's towns.
	for i, of := range offices {
		p := 0.35
		if of.basin {
			p = 0.55
		}
		if g.rnd.Float64() < p {
			lon, lat := g.point(of.x+g.uniform(-2, 2), of.y+g.uniform(-2, 2))
			work := g.uniform(15, 45)
			assets = append(assets, solver.Asset{ID: fmt.Sprintf("S%05d", i+1), Municipality: codes[i], Kind: "sewer_plant",
				Lon: lon, Lat: lat, Cost: math.Round(400000 + 70000*work), Workload: round(work, 2)})
		}
	}
	depots := make([]solver.Depot, 0, len(munis)+len(dist))
	for _, m := range munis {
		depots = append(depots, solver.Depot{ID: "office-" + m.Code, Lon: m.Office.Lon, Lat: m.Office.Lat, Name: m.Name + "役場"})
	}
	for k, p := range dist {
		lon, lat := g.point(p[0], p[1])
		depots = append(depots, solver.Depot{ID: fmt.Sprintf("district-%d", k+1), Lon: lon, Lat: lat, Name: fmt.Sprintf("土木事務所%d", k+1)})
	}
	name := o.Name
	if name == "" {
		name = fmt.Sprintf("synthetic-s%d-m%d-n%d", o.Seed, o.Munis, o.Assets)
	}
	num := func(x float64) *float64 { return &x }
	maxAssets := 250
	return &solver.Instance{Version: 1, Name: name, Params: solver.Params{
		Currency: "JPY", ContractFixedCost: fixedCost, TravelCostPerKm: 400, Circuity: num(solver.DefaultCircuity),
		Equipment: map[string]float64{"snooper_truck": 500000, "aerial_platform": 150000, "rope_access": 250000,
			"boat": 200000, "traffic_control": 80000, "rail_coordination": 1000000},
		MixedDisciplineSurcharge: num(1000000),
		Limits: solver.Limits{MinValue: num(8000000), MaxValue: num(80000000), MaxWorkload: num(600),
			MaxAssets: &maxAssets, MaxDistanceKm: num(o.MaxDistance)},
		RequireIndividualRationality: o.IR,
	}, Municipalities: munis, Depots: depots, Assets: assets}
}

// kind draws an asset kind by its share of the assets (bridges dominate, as in Japanese
// inventories).
func (g *generator) kind() string {
	kinds := [...]struct {
		name  string
		share float64
	}{{"bridge", 0.80}, {"tunnel", 0.03}, {"culvert", 0.04}, {"footbridge", 0.04}, {"road_furniture", 0.05}, {"pump_station", 0.04}}
	sum := 0.0
	for _, k := range kinds {
		sum += k.share
	}
	r := g.rnd.Float64() * sum
	c := 0.0
	for _, k := range kinds {
		c += k.share
		if r <= c {
			return k.name
		}
	}
	return kinds[len(kinds)-1].name
}

// asset draws a kind's workload (days), equipment, length and cost (yen).
func (g *generator) asset(kind string) solver.Asset {
	a := solver.Asset{Kind: kind}
	var work, cost float64
	switch kind {
	case "bridge":
		l := round(min(600, max(2, g.lognormal(math.Log(9), 0.9))), 1)
		setExtra(&a, "length_m", l)
		work = 0.8 + 0.07*l
		if l >= 15 { // long bridges need access equipment under the deck
			switch u := g.rnd.Float64(); {
			case u < 0.5:
				a.Equipment = append(a.Equipment, "snooper_truck")
			case u < 0.7:
				a.Equipment = append(a.Equipment, "aerial_platform")
			case u < 0.75:
				a.Equipment = append(a.Equipment, "rope_access")
			case u < 0.8:
				a.Equipment = append(a.Equipment, "boat")
			}
		}
		if g.rnd.Float64() < 0.35 {
			a.Equipment = append(a.Equipment, "traffic_control")
		}
		if g.rnd.Float64() < 0.02 {
			a.Equipment = append(a.Equipment, "rail_coordination")
		}
		cost = 150000 + 70000*work
		for _, e := range a.Equipment {
			switch e {
			case "snooper_truck":
				cost += 120000 * work / 4
			case "rail_coordination":
				cost += 4000000
			}
		}
	case "tunnel":
		l := round(max(30, g.lognormal(math.Log(150), 0.8)), 1)
		setExtra(&a, "length_m", l)
		work = 3 + 0.03*l
		a.Equipment = []string{"aerial_platform", "traffic_control"}
		cost = 300000 + 60000*work
	case "culvert":
		work = g.uniform(1, 3)
		if g.rnd.Float64() < 0.5 {
			a.Equipment = []string{"traffic_control"}
		}
		cost = 100000 + 60000*work
	case "footbridge":
		work = g.uniform(1, 2.5)
		a.Equipment = []string{"aerial_platform", "traffic_control"}
		cost = 120000 + 60000*work
	case "road_furniture":
		work = g.uniform(0.3, 1)
		a.Equipment = []string{"aerial_platform"}
		cost = 50000 + 60000*work
	default: // pump_station
		work = g.uniform(2, 5)
		cost = 150000 + 70000*work
	}
	a.Cost, a.Workload = math.Round(cost), round(work, 2)
	return a
}

// setExtra records a field the model does not read (length_m, last_inspection_fy).
func setExtra(a *solver.Asset, key string, v float64) {
	if a.Extra == nil {
		a.Extra = map[string]json.RawMessage{}
	}
	a.Extra[key] = json.RawMessage(strconv.FormatFloat(v, 'f', -1, 64))
}

// programme makes inst a version-2 instance: every municipality inspected its assets in
// uneven waves over the last cycle (so due years are lumpy), 1 % were never inspected.
// Its own PCG stream keeps the version-1 part identical to the instance without --programme.
func (g *generator) programme(inst *solver.Instance) *programme {
	o := g.o
	rnd := rand.New(rand.NewPCG(o.Seed, programmePCG))
	wave := make(map[string][cycleYears]float64, len(inst.Municipalities))
	for _, m := range inst.Municipalities {
		var w [cycleYears]float64
		t := 0.0
		for k := range w {
			u := rnd.Float64()
			w[k] = u*u + 0.05
			t += w[k]
		}
		for k := range w {
			w[k] /= t
		}
		wave[m.Code] = w
	}
	for i := range inst.Assets {
		a := &inst.Assets[i]
		if rnd.Float64() < 0.01 {
			continue // never inspected: due in the first year
		}
		ws := wave[a.Municipality]
		r, k := rnd.Float64(), 0
		for k < cycleYears-1 && r > ws[k] {
			r -= ws[k]
			k++
		}
		setExtra(a, "last_inspection_fy", float64(o.FirstFY-cycleYears+k))
	}
	p := &programme{FirstFY: o.FirstFY, Years: o.Programme, CycleYears: cycleYears,
		AdvanceMaxYears: o.Advance, ContractYears: o.ContractYears}
	part := map[string]bool{}
	for _, m := range inst.Municipalities {
		part[m.Code] = m.Participating()
	}
	direct := 0.0
	byMuni := map[string]float64{}
	for _, a := range inst.Assets {
		byMuni[a.Municipality] += a.Cost
		if part[a.Municipality] {
			direct += a.Cost
		}
	}
	if o.YearCap > 0 {
		p.YearLimits = &yearLimits{MaxValue: math.Round(o.YearCap * (direct/float64(o.Programme) + fixedCost*float64(len(inst.Depots))/3))}
	}
	if o.Budgets > 0 {
		p.Budgets = map[string]float64{}
		for code, v := range byMuni {
			if part[code] {
				p.Budgets[code] = math.Round(o.Budgets*v/cycleYears + 3000000)
			}
		}
	}
	inst.Version = 2
	if o.Name == "" {
		inst.Name = fmt.Sprintf("synthetic-s%d-m%d-n%d-p%d", o.Seed, o.Munis, o.Assets, o.Programme)
	}
	return p
}

// output is a version-1 instance in the solver's own types, plus the programme of a
// version-2 instance (docs/programme.md), which the solver does not read.
type output struct {
	*solver.Instance
	Programme *programme `json:"programme,omitempty"`
}

type programme struct {
	FirstFY         int                `json:"first_fy"`
	Years           int                `json:"years"`
	CycleYears      int                `json:"cycle_years"`
	AdvanceMaxYears int                `json:"advance_max_years"`
	ContractYears   int                `json:"contract_years"`
	YearLimits      *yearLimits        `json:"year_limits,omitempty"`
	Budgets         map[string]float64 `json:"budgets,omitempty"`
}

type yearLimits struct {
	MaxValue float64 `json:"max_value"`
}

// Describe is a one-line summary for people of what Generate made.
func Describe(data []byte) (string, error) {
	inst, err := solver.ParseInstance(data)
	if err != nil {
		return "", err
	}
	part := 0
	for _, m := range inst.Municipalities {
		if m.Participating() {
			part++
		}
	}
	return fmt.Sprintf("%s: version %d, %d municipalities (%d participating), %d depots, %d assets",
		inst.Name, inst.Version, len(inst.Municipalities), part, len(inst.Depots), len(inst.Assets)), nil
}
