package data

// Facts about Nara prefecture that the N03 boundaries do not carry. All are approximate
// and only shape the synthetic demo: town-hall positions are rounded to about 100 m and
// moved inside the simplified N03 outline when they fall outside it; populations are
// rounded figures near the 2020 census; regions follow the prefecture's customary five
// areas (北和・西和・中和・東和・南和) as the Japanese Wikipedia articles draw them (「中和
// (奈良県)」, 「奈良県」 地理・地域). They are customary, not statutory, and their edges vary by
// source: MLIT's 近畿地方整備局 counts 御所市・高取町・明日香村 in 南和, and 山添村 is sometimes
// put with 東和 (大和高原). The demo's default scenario locks lots inside them
// (DemoScenario); a scenario's regions override any municipality's.
type demoPlace struct {
	office     string // name of the town hall
	lon, lat   float64
	population int
	region     string
}

var demoPlaces = map[string]demoPlace{
	"29201": {"奈良市役所", 135.8049, 34.6851, 354000, "北和"},
	"29202": {"大和高田市役所", 135.7363, 34.5150, 62000, "中和"},
	"29203": {"大和郡山市役所", 135.7827, 34.6494, 83000, "北和"},
	"29204": {"天理市役所", 135.8374, 34.5966, 63000, "北和"},
	"29205": {"橿原市役所", 135.7927, 34.5092, 120000, "中和"},
	"29206": {"桜井市役所", 135.8434, 34.5190, 55000, "中和"},
	"29207": {"五條市役所", 135.6937, 34.3519, 28000, "南和"},
	"29208": {"御所市役所", 135.7393, 34.4632, 24000, "中和"},
	"29209": {"生駒市役所", 135.7003, 34.6921, 118000, "北和"},
	"29210": {"香芝市役所", 135.6993, 34.5413, 78000, "中和"},
	"29211": {"葛城市役所", 135.7262, 34.4891, 36000, "中和"},
	"29212": {"宇陀市役所", 135.9531, 34.5276, 28000, "東和"},
	"29322": {"山添村役場", 136.0428, 34.6823, 3300, "北和"},
	"29342": {"平群町役場", 135.7007, 34.6298, 18000, "西和"},
	"29343": {"三郷町役場", 135.6924, 34.5999, 22000, "西和"},
	"29344": {"斑鳩町役場", 135.7306, 34.6087, 27000, "西和"},
	"29345": {"安堵町役場", 135.7589, 34.6064, 7000, "西和"},
	"29361": {"川西町役場", 135.7743, 34.5841, 8000, "中和"},
	"29362": {"三宅町役場", 135.7744, 34.5718, 6500, "中和"},
	"29363": {"田原本町役場", 135.7951, 34.5551, 31000, "中和"},
	"29385": {"曽爾村役場", 136.1233, 34.5096, 1300, "東和"},
	"29386": {"御杖村役場", 136.1633, 34.4908, 1500, "東和"},
	"29401": {"高取町役場", 135.7942, 34.4496, 6500, "中和"},
	"29402": {"明日香村役場", 135.8209, 34.4713, 5400, "中和"},
	"29424": {"上牧町役場", 135.7216, 34.5627, 22000, "西和"},
	"29425": {"王寺町役場", 135.7066, 34.5947, 24000, "西和"},
	"29426": {"広陵町役場", 135.7519, 34.5528, 33000, "中和"},
	"29427": {"河合町役場", 135.7381, 34.5788, 17000, "西和"},
	"29441": {"吉野町役場", 135.8586, 34.3957, 6500, "南和"},
	"29442": {"大淀町役場", 135.7905, 34.3906, 16000, "南和"},
	"29443": {"下市町役場", 135.7914, 34.3670, 5000, "南和"},
	"29444": {"黒滝村役場", 135.8536, 34.3117, 600, "南和"},
	"29446": {"天川村役場", 135.8516, 34.2434, 1200, "南和"},
	"29447": {"野迫川村役場", 135.6394, 34.1545, 350, "南和"},
	"29449": {"十津川村役場", 135.8383, 33.9889, 3000, "南和"},
	"29450": {"下北山村役場", 135.9588, 34.0076, 800, "南和"},
	"29451": {"上北山村役場", 136.0105, 34.1299, 450, "南和"},
	"29452": {"川上村役場", 135.9558, 34.3420, 1200, "南和"},
	"29453": {"東吉野村役場", 135.9766, 34.4021, 1600, "南和"},
}

// demoDistricts are Nara prefecture's district civil-engineering offices (土木事務所),
// extra depots of the demo. Names follow the prefecture's offices as we know them;
// positions are approximate (town-level), not surveyed addresses.
var demoDistricts = []Depot{
	{ID: "district-nara", Name: "奈良土木事務所", Kind: DepotDistrict, Lon: 135.8160, Lat: 34.6740},
	{ID: "district-koriyama", Name: "郡山土木事務所", Kind: DepotDistrict, Lon: 135.7830, Lat: 34.6400},
	{ID: "district-takada", Name: "高田土木事務所", Kind: DepotDistrict, Lon: 135.7400, Lat: 34.5120},
	{ID: "district-chuwa", Name: "中和土木事務所", Kind: DepotDistrict, Lon: 135.7950, Lat: 34.5050},
	{ID: "district-uda", Name: "宇陀土木事務所", Kind: DepotDistrict, Lon: 135.9500, Lat: 34.5300},
	{ID: "district-yoshino", Name: "吉野土木事務所", Kind: DepotDistrict, Lon: 135.7900, Lat: 34.3850},
	{ID: "district-gojo", Name: "五條土木事務所", Kind: DepotDistrict, Lon: 135.6950, Lat: 34.3530},
	{ID: "district-totsukawa", Name: "十津川土木事務所", Kind: DepotDistrict, Lon: 135.8000, Lat: 33.9600},
}
