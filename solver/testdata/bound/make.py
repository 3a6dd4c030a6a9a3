import json, os, subprocess, sys
# TOOLS: the folder holding the upstream gen.py, exact.py and referee.py (not in this repository).
T = os.environ.get('TOOLS') or sys.exit('make.py: set TOOLS=/path/to/tools (gen.py, exact.py, referee.py)')
T = os.path.join(T, '')
G = T + 'gen.py'
cases = [
  # name, gen args, param overrides
  ("g1", "--seed 101 --munis 4 --assets 30 --spread 15", {}),
  ("g2", "--seed 102 --munis 5 --assets 40 --spread 20", {"limits": {"min_value": 0, "max_value": 12000000, "max_workload": 60, "max_assets": 20, "max_distance_km": 35}}),
  ("g3", "--seed 103 --munis 6 --assets 40 --spread 25 --districts 3", {"region_locked": True, "mixed_discipline_surcharge": None, "limits": {"min_value": 0, "max_value": 15000000, "max_workload": 80, "max_assets": 25, "max_distance_km": 35}}),
  ("g4", "--seed 104 --munis 5 --assets 35 --spread 20", {"mixed_discipline_surcharge": 3000000, "limits": {"min_value": 0, "max_value": 10000000, "max_workload": 40, "max_assets": 15, "max_distance_km": 30}}),
  ("g5", "--seed 105 --munis 4 --assets 30 --spread 15", {"contract_fixed_cost": 500000, "travel_cost_per_km": 5000, "limits": {"min_value": 0, "max_value": 9000000, "max_workload": 50, "max_assets": 12, "max_distance_km": 35}}),
  ("g6", "--seed 106 --munis 6 --assets 45 --spread 25 --districts 2", {"region_locked": True, "limits": {"min_value": 0, "max_value": 14000000, "max_workload": 70, "max_assets": 30, "max_distance_km": 40}}),
  ("g7", "--seed 107 --munis 5 --assets 40 --spread 20", {"equipment": {"snooper_truck": 3000000, "aerial_platform": 1500000, "rope_access": 2500000, "boat": 2000000, "traffic_control": 800000, "rail_coordination": 4000000}, "limits": {"min_value": 0, "max_value": 20000000, "max_workload": 100, "max_assets": 25, "max_distance_km": 35}}),
  # mid-size: more than 40 assets per configuration, so the knapsack's linear relaxation runs
  ("m2", "--seed 202 --munis 10 --assets 150 --spread 30 --districts 3", {"region_locked": True, "mixed_discipline_surcharge": None, "limits": {"min_value": 0, "max_value": 40000000, "max_workload": 250, "max_assets": 100, "max_distance_km": 35}}),
  ("m3", "--seed 203 --munis 8 --assets 120 --spread 25", {"limits": {"min_value": 5000000, "max_value": 25000000, "max_workload": 150, "max_assets": 60, "max_distance_km": 30}}),
  ("g8", "--seed 108 --munis 4 --assets 25 --spread 15", {"limits": {"min_value": 0, "max_value": 80000000, "max_workload": 30, "max_assets": 250, "max_distance_km": 35}}),
]
optima = {}
for name, args, over in cases:
    inst = json.loads(subprocess.check_output(["python3", G] + args.split()))
    for k, v in over.items():
        inst["params"][k] = v
    inst["name"] = name
    json.dump(inst, open(name + ".json", "w"), ensure_ascii=False, indent=None, separators=(",", ":"))
    out = subprocess.run(["python3", T + "exact.py", name + ".json", "/tmp/" + name + ".plan.json",
                          "--sec", "240", "--threads", "1", "--gap", "0"], capture_output=True, text=True).stdout
    res = json.loads(out.strip().splitlines()[-1])
    if res["status"] != "optimal":
        optima[name] = {"optimum": None, "status": res["status"]}
        continue
    ref = json.loads(subprocess.check_output(["python3", T + "referee.py", name + ".json", "/tmp/" + name + ".plan.json"]))
    assert ref["feasible"], ref
    optima[name] = {"optimum": round(ref["cost"], 6), "status": "optimal", "bundles": ref["bundles"]}
    print(name, optima[name])
json.dump(optima, open("optima.json", "w"), indent=1)
