package data

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// n03Nara is the 国土数値情報 行政区域 (N03) boundary file of Nara prefecture, 2021-01-01,
// simplified; see demo/CREDIT.md. 「国土数値情報（行政区域データ）」（国土交通省）を加工して作成
//
//go:embed demo/N03-21_29_210101.json
var n03Nara []byte

// DemoName identifies the demo dataset; change it whenever the generator's output changes.
const DemoName = "nara-demo-v2"

// DemoSeed seeds the demo generator (PCG). FY2015 is when the Nara model began bundling.
const DemoSeed uint64 = 20150401

// Demo asset totals by kind: about 6,000 bridges and 600 other assets.
var demoKindTotals = []struct {
	Kind  string
	Total int
	// Weights of the municipality's share of the prefecture's area and population.
	AreaW, PopW float64
	// Clustered is the probability that an asset sits near a settlement rather than
	// anywhere in the municipality.
	Clustered float64
}{
	{"bridge", 6000, 0.55, 0.45, 0.55},
	{"tunnel", 110, 0.9, 0.1, 0.15},
	{"culvert", 140, 0.5, 0.5, 0.5},
	{"footbridge", 100, 0.05, 0.95, 0.95},
	{"road_furniture", 150, 0.25, 0.75, 0.85},
	{"sewer_plant", 30, 0.6, 0.4, 0.9},
	{"pump_station", 70, 0.2, 0.8, 0.8},
}

var kindPrefix = map[string]string{
	"bridge": "BR", "tunnel": "TN", "culvert": "CV", "footbridge": "FB",
	"road_furniture": "RF", "sewer_plant": "SP", "pump_station": "PS",
}

// DemoFirstInspectionFY and the four years after it are the fiscal years of the demo's
// last inspections (the last statutory cycle, FY2021–25), in waves per municipality
// (demoWaves), so that under the 5-year cycle each municipality's assets fall due lumpily
// over FY2026 … FY2030 — as real ones do, and as a programme has to level.
const DemoFirstInspectionFY = 2021

// Shapes of a municipality's inspection waves (demoWaves): its main wave holds a share
// of its assets drawn from [demoMainWaveMin, demoMainWaveMin+demoWaveSpread), its second
// wave a share from [demoSecondWaveMin, demoSecondWaveMin+demoWaveSpread), and the rest
// is spread evenly over the five years.
const (
	demoMainWaveMin   = 0.45
	demoSecondWaveMin = 0.15
	demoWaveSpread    = 0.15
)

// demoWaveStream keeps the waves' draws apart from the stream that places and describes
// the assets (DemoSeed, code), so that ids, positions and attributes do not move with them.
const demoWaveStream uint64 = 0x5741564553 // "WAVES"

// demoWaves gives a municipality's assets their last inspection years, in the
// municipality's waves: a PCG stream seeded by (DemoSeed ^ demoWaveStream, code) picks a
// main year and a second year among FY2021–25 and their shares (see demoMainWaveMin),
// then each asset, in id order, draws its year from that mix.
func demoWaves(code uint64, assets []Asset) {
	rng := rand.New(rand.NewPCG(DemoSeed^demoWaveStream, code))
	main := rng.IntN(5)
	second := (main + 1 + rng.IntN(4)) % 5
	pMain := demoMainWaveMin + demoWaveSpread*rng.Float64()
	pSecond := demoSecondWaveMin + demoWaveSpread*rng.Float64()
	for i := range assets {
		k := rng.IntN(5) // the even part
		switch u := rng.Float64(); {
		case u < pMain:
			k = main
		case u < pMain+pSecond:
			k = second
		}
		assets[i].LastInspectionFY = iptr(DemoFirstInspectionFY + k)
	}
}

// DemoDataset is the generated demo inventory.
type DemoDataset struct {
	Municipalities []Municipality `json:"municipalities"`
	Depots         []Depot        `json:"depots"`
	Assets         []Asset        `json:"assets"`
}

// Hash is a SHA-256 of the dataset's canonical JSON: equal hashes mean equal datasets.
func (d *DemoDataset) Hash() string {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // plain data always marshals
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

type demoMuni struct {
	m        Municipality
	poly     orb.MultiPolygon
	bound    orb.Bound
	areaKm2  float64
	place    demoPlace
	centers  []orb.Point // settlements: the office first
	density  float64     // people per km²
	kmPerLon float64
}

// GenerateDemo builds the demo dataset: the 39 real municipalities of Nara prefecture
// (N03 boundaries and codes), an office inside each, the district civil-engineering
// offices, and synthetic assets placed inside the municipality outlines. The same
// dataset comes out every time: every random draw comes from PCG streams seeded with
// DemoSeed and the municipality code.
func GenerateDemo() (*DemoDataset, error) {
	munis, err := demoMunicipalities()
	if err != nil {
		return nil, err
	}
	ds := &DemoDataset{}
	var totalArea, totalPop float64
	for _, dm := range munis {
		totalArea += dm.areaKm2
		totalPop += float64(dm.place.population)
	}
	for _, dm := range munis {
		ds.Municipalities = append(ds.Municipalities, dm.m)
		ds.Depots = append(ds.Depots, Depot{ID: OfficeDepotID(dm.m.Code), Name: dm.m.OfficeName, Kind: DepotOffice,
			Municipality: dm.m.Code, Lon: dm.m.OfficeLon, Lat: dm.m.OfficeLat})
	}
	districts := append([]Depot(nil), demoDistricts...)
	sort.Slice(districts, func(i, j int) bool { return districts[i].ID < districts[j].ID })
	ds.Depots = append(ds.Depots, districts...) // the order Store.Depots lists them in

	// counts[k][i]: assets of kind k in municipality i, apportioned by largest remainder.
	counts := make([][]int, len(demoKindTotals))
	for k, kt := range demoKindTotals {
		w := make([]float64, len(munis))
		for i, dm := range munis {
			w[i] = kt.AreaW*dm.areaKm2/totalArea + kt.PopW*float64(dm.place.population)/totalPop
		}
		counts[k] = apportion(kt.Total, w)
	}
	for i, dm := range munis {
		code, _ := strconv.ParseUint(dm.m.Code, 10, 64)
		rng := rand.New(rand.NewPCG(DemoSeed, code))
		first := len(ds.Assets)
		dm.centers = append(dm.centers, orb.Point{dm.m.OfficeLon, dm.m.OfficeLat})
		for range 1 + min(7, int(dm.areaKm2/60)) {
			dm.centers = append(dm.centers, dm.uniformPoint(rng))
		}
		for k, kt := range demoKindTotals {
			for n := range counts[k][i] {
				at := dm.randomPosition(rng, kt.Clustered)
				a := Asset{
					ID:           fmt.Sprintf("%s-%s%04d", dm.m.Code, kindPrefix[kt.Kind], n+1),
					Municipality: dm.m.Code,
					Kind:         kt.Kind,
					Lon:          round(at[0], 6),
					Lat:          round(at[1], 6),
				}
				dm.attributes(rng, &a)
				ds.Assets = append(ds.Assets, a)
			}
		}
		demoWaves(code, ds.Assets[first:])
	}
	return ds, nil
}

func demoMunicipalities() ([]*demoMuni, error) {
	fc, err := geojson.UnmarshalFeatureCollection(n03Nara)
	if err != nil {
		return nil, fmt.Errorf("demo N03 file: %w", err)
	}
	var out []*demoMuni
	for i, f := range fc.Features {
		code, _ := f.Properties["N03_007"].(string)
		name, _ := f.Properties["N03_004"].(string)
		pref, _ := f.Properties["N03_001"].(string)
		place, ok := demoPlaces[code]
		if !ok {
			return nil, fmt.Errorf("demo N03 file: features[%d]: code %q has no entry in demoPlaces", i, code)
		}
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return nil, fmt.Errorf("demo N03 file: features[%d] (%s): geometry %s, expected a polygon", i, code, f.Geometry.GeoJSONType())
		}
		boundary, err := json.Marshal(geojson.NewGeometry(f.Geometry))
		if err != nil {
			return nil, err
		}
		dm := &demoMuni{poly: mp, bound: mp.Bound(), place: place, areaKm2: orbgeo.Area(mp) / 1e6}
		dm.density = float64(place.population) / dm.areaKm2
		dm.kmPerLon = 111.320 * math.Cos(dm.bound.Center()[1]*math.Pi/180)
		office := orb.Point{place.lon, place.lat}
		if !planar.MultiPolygonContains(mp, office) {
			office = nearestInside(mp, dm.bound, office)
		}
		dm.m = Municipality{Code: code, Name: name, Prefecture: pref, Region: place.region, Participates: true,
			OfficeName: place.office, OfficeLon: round(office[0], 6), OfficeLat: round(office[1], 6), Boundary: boundary}
		out = append(out, dm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].m.Code < out[j].m.Code })
	return out, nil
}

// nearestInside is the point of a fine grid over b that lies inside mp and is nearest to p.
func nearestInside(mp orb.MultiPolygon, b orb.Bound, p orb.Point) orb.Point {
	const step = 0.001
	best, bestD := b.Center(), math.Inf(1)
	for lon := b.Min[0] + step/2; lon < b.Max[0]; lon += step {
		for lat := b.Min[1] + step/2; lat < b.Max[1]; lat += step {
			q := orb.Point{lon, lat}
			d := (q[0]-p[0])*(q[0]-p[0]) + (q[1]-p[1])*(q[1]-p[1])
			if d < bestD && planar.MultiPolygonContains(mp, q) {
				best, bestD = q, d
			}
		}
	}
	return best
}

func (dm *demoMuni) uniformPoint(rng *rand.Rand) orb.Point {
	for {
		q := orb.Point{dm.bound.Min[0] + rng.Float64()*(dm.bound.Max[0]-dm.bound.Min[0]),
			dm.bound.Min[1] + rng.Float64()*(dm.bound.Max[1]-dm.bound.Min[1])}
		if planar.MultiPolygonContains(dm.poly, q) {
			return q
		}
	}
}

// place_ draws an asset position inside the municipality: near a settlement (the office
// counts three times) with probability clustered, else uniformly over the outline.
func (dm *demoMuni) randomPosition(rng *rand.Rand, clustered float64) orb.Point {
	if rng.Float64() >= clustered {
		return dm.uniformPoint(rng)
	}
	c := dm.centers[0]
	if r := rng.IntN(len(dm.centers) + 2); r > 2 {
		c = dm.centers[r-2]
	}
	radius := math.Sqrt(dm.areaKm2 / math.Pi)
	sigma := math.Min(3.0, math.Max(0.8, 0.35*radius))
	for range 100 {
		q := orb.Point{c[0] + rng.NormFloat64()*sigma/dm.kmPerLon, c[1] + rng.NormFloat64()*sigma/110.574}
		if planar.MultiPolygonContains(dm.poly, q) {
			return q
		}
	}
	return dm.uniformPoint(rng)
}

var (
	namePrefixes = []string{"上", "下", "中", "大", "小", "新", "東", "西", "南", "北", "宮", "本", "奥", "川", "山",
		"谷", "田", "森", "石", "松", "竹", "梅", "桜", "滝", "柳", "坂", "寺", "市", "岩", "杉"}
	nameStems = []string{"川", "谷", "田", "瀬", "沢", "原", "野", "森", "井", "尾", "畑", "垣", "淵", "津", "口", "平", "内", "浦", "出", "城"}
	furniture = []string{"門型標識", "道路情報板", "大型照明"}
)

func placeName(rng *rand.Rand) string {
	return namePrefixes[rng.IntN(len(namePrefixes))] + nameStems[rng.IntN(len(nameStems))]
}

func fptr(x float64) *float64 { return &x }
func iptr(x int) *int         { return &x }

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// rating draws a soundness rating: I 40 %, II 53 %, III 6.8 %, IV 0.2 % (DOMAIN.md: 7.3 %
// of bridges were III or IV at the end of FY2024).
func rating(rng *rand.Rand) int {
	switch u := rng.Float64(); {
	case u < 0.40:
		return 1
	case u < 0.93:
		return 2
	case u < 0.998:
		return 3
	default:
		return 4
	}
}

// attributes draws the kind-specific attributes of a demo asset.
func (dm *demoMuni) attributes(rng *rand.Rand, a *Asset) {
	year := func(mean, sd, lo, hi float64) *int {
		return iptr(int(math.Round(clamp(mean+sd*rng.NormFloat64(), lo, hi))))
	}
	urban := math.Min(1, dm.density/3000) // 0 in mountain villages … 1 in dense towns
	// nara-demo-v1 drew the last inspection here, evenly; the draw stays so that the rest
	// of the stream (names, sizes, ratings) is unchanged, and demoWaves sets the year.
	_ = rng.IntN(5)
	name := placeName(rng)
	switch a.Kind {
	case "bridge":
		// Lognormal around 8 m: about 80 % shorter than 15 m, a tail of long river bridges.
		l := clamp(math.Exp(math.Log(8)+0.7*rng.NormFloat64()), 2, 450)
		a.LengthM = fptr(round(l, 1))
		a.WidthM = fptr(round(clamp(5.5+1.8*rng.NormFloat64()+0.01*l, 2.5, 18), 1))
		a.YearBuilt = year(1976, 13, 1925, 2022)
		a.Rating = iptr(rating(rng))
		a.OverWater = rng.Float64() < 0.72
		a.OverRail = !a.OverWater && rng.Float64() < 0.01+0.04*urban
		a.Name = name + "橋"
	case "tunnel":
		a.LengthM = fptr(round(clamp(math.Exp(math.Log(180)+0.7*rng.NormFloat64()), 30, 3000), 1))
		a.WidthM = fptr(round(clamp(7+1.2*rng.NormFloat64(), 4, 11), 1))
		a.YearBuilt = year(1985, 15, 1930, 2022)
		a.Rating = iptr(rating(rng))
		a.Name = name + "トンネル"
	case "culvert":
		a.LengthM = fptr(round(8+22*rng.Float64(), 1))
		a.WidthM = fptr(round(2+4*rng.Float64(), 1))
		a.YearBuilt = year(1980, 12, 1950, 2022)
		a.Rating = iptr(rating(rng))
		a.OverWater = rng.Float64() < 0.6
		a.Name = name + "函渠"
	case "footbridge":
		a.LengthM = fptr(round(15+30*rng.Float64(), 1))
		a.WidthM = fptr(round(1.5+2.5*rng.Float64(), 1))
		a.YearBuilt = year(1975, 8, 1962, 2020)
		a.Rating = iptr(rating(rng))
		a.OverRail = rng.Float64() < 0.05
		a.Name = name + "歩道橋"
	case "road_furniture":
		a.LengthM = fptr(round(8+17*rng.Float64(), 1))
		a.YearBuilt = year(1988, 10, 1965, 2022)
		a.Rating = iptr(rating(rng))
		a.Name = name + furniture[rng.IntN(len(furniture))]
	case "sewer_plant":
		a.YearBuilt = year(1998, 7, 1975, 2020)
		a.Name = name + "浄化センター"
	case "pump_station":
		a.YearBuilt = year(1995, 9, 1970, 2022)
		a.Name = name + "ポンプ場"
	}
}

// apportion splits total into integers proportional to w by the largest remainder
// (Hamilton) method; ties go to the lower index. The parts sum to total exactly.
func apportion(total int, w []float64) []int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	out := make([]int, len(w))
	rem := make([]float64, len(w))
	given := 0
	for i, x := range w {
		q := float64(total) * x / sum
		out[i] = int(math.Floor(q))
		rem[i] = q - float64(out[i])
		given += out[i]
	}
	idx := make([]int, len(w))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rem[idx[a]] > rem[idx[b]] })
	for k := 0; given < total; k++ {
		out[idx[k]]++
		given++
	}
	return out
}
