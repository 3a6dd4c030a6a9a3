#!/usr/bin/env python3
"""Regenerate the recorded referee verdicts on programme (version-2) plans.

    REFEREE=/path/to/referee.py python3 solver/testdata/programme-referee/regen.py

Makes 89 plans on the pp-* instances of solver/testdata and on variants of pp-tiny
written here and of pp-multi (tighter limits, budgets, IR, no mixing, region lock): feasible ones built by
a simple levelling construction, and infeasible ones that each break one rule on purpose.
Runs the referee on every plan and writes cases.json: one entry per plan with the
instance file (relative to solver/testdata), the rule the plan breaks on purpose ("" for
none), the plan and the referee's verdict. TestProgrammeAgreesWithReferee reads it, so
`make test` needs no Python. Deterministic: the same referee gives the same file.
"""
import copy, importlib.util, json, os, random, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.dirname(HERE)
REFEREE = os.environ.get("REFEREE")
if not REFEREE or not os.path.isfile(REFEREE):
    sys.exit("set REFEREE to the path of referee.py (version 2 judge)")

# The referee's own model gives the generator distances and due years; verdicts come
# from running it as a program, exactly as a user would.
spec = importlib.util.spec_from_file_location("referee", REFEREE)
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)


def load(rel):
    with open(os.path.join(TESTDATA, rel)) as f:
        return json.load(f)


def write_variant(rel, base, edit):
    inst = copy.deepcopy(base)
    edit(inst)
    with open(os.path.join(TESTDATA, rel), "w") as f:
        json.dump(inst, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return inst


class Ctx:
    def __init__(self, inst):
        self.inst = inst
        self.md = ref.Model(copy.deepcopy(inst))
        self.pg = ref.Programme(copy.deepcopy(inst), self.md)
        self.planned = sorted(self.pg.planned)

    def hubs(self):
        """Depots that reach every programme asset, nearest-to-centre first."""
        out = []
        for d in self.md.depots.values():
            far = max(self.md.dist(d, self.md.assets[a]) for a in self.planned)
            if far <= self.md.dmax:
                out.append((far, d["id"]))
        return [d for _, d in sorted(out)]

    def cost(self, depot, aids, years=None):
        """The lot cost (referee's formula) of aids from depot, each in its year."""
        years = years or {}
        items = [(self.md.assets[a], years.get(a, self.pg.due[a])) for a in aids]
        lvl, ypart, _ = ref.lot_terms(self.md, self.pg, self.md.depots[depot], items)
        return lvl + sum(ypart.values())

    def levelled(self, depot, year_cap=None):
        """Each asset in its due year, then years whose lot is under min_value (or over
        year_cap) hand assets to the year before, inside their windows."""
        year = {a: self.pg.due[a] for a in self.planned}
        for y in reversed(self.pg.years[1:]):
            def at(yy):
                return [a for a in self.planned if year[a] == yy]
            def value(yy):
                return self.cost(depot, at(yy), year) if at(yy) else 0.0
            while at(y) and (value(y) < self.md.vmin or (year_cap and value(y) > year_cap)):
                movable = [a for a in at(y) if self.pg.window(a)[0] <= y - 1]
                if not movable:
                    break
                a = max(movable, key=lambda a: float(self.md.assets[a]["cost"]))
                year[a] = y - 1
                if year_cap and value(y) <= year_cap and value(y) >= self.md.vmin:
                    break
        return year


def yearly_plan(ctx, name, depots, year, split=None):
    """One lot per year (L = 1), or per year and depot when split maps asset → depot."""
    bundles = []
    for y in ctx.pg.years:
        aids = [a for a in ctx.planned if year[a] == y]
        groups = {}
        for a in aids:
            groups.setdefault(split(a) if split else depots[0], []).append(a)
        for dep in sorted(groups):
            bundles.append({"id": f"L{y}-{dep}", "depot": dep, "fy": y, "assets": groups[dep]})
    return {"instance": name, "bundles": bundles, "schedule": {a: year[a] for a in ctx.planned}}


def block_plan(ctx, name, depot, year):
    """One lot per block from one depot (contract_years > 1)."""
    L = ctx.pg.L
    bundles = []
    for fy in ctx.pg.years[::L]:
        aids = [a for a in ctx.planned if fy <= year[a] < fy + L]
        if aids:
            bundles.append({"id": f"B{fy}", "depot": depot, "fy": fy, "assets": aids})
    return {"instance": name, "bundles": bundles, "schedule": {a: year[a] for a in ctx.planned}}


def west_east(ctx, west, east):
    lons = sorted(float(ctx.md.assets[a]["lon"]) for a in ctx.planned)
    mid = lons[len(lons) // 2]
    return lambda a: west if float(ctx.md.assets[a]["lon"]) < mid else east


def find_lot(plan, aid):
    for b in plan["bundles"]:
        if aid in b["assets"]:
            return b
    raise KeyError(aid)


def mutations(ctx, plan, rng):
    """Plans that each break one rule of PROGRAMME.md on purpose: (rule, plan)."""
    out = []
    L = ctx.pg.L
    def m(rule, fn):
        p = copy.deepcopy(plan)
        fn(p)
        out.append((rule, p))
    early = [a for a in ctx.planned if ctx.pg.window(a)[0] > ctx.pg.fy0]

    def too_early(p):  # a year before the asset's window (still inside a block)
        a = early[0]
        y = ctx.pg.window(a)[0] - 1
        p["schedule"][a] = y
        if L == 1:
            find_lot(p, a)["assets"].remove(a)
            target = [b for b in p["bundles"] if b["fy"] == y]
            target[0]["assets"].append(a)
    m("window", too_early)

    def wrong_block(p):
        p["bundles"][0]["fy"] = ctx.pg.fy0 + 1 if L > 1 else ctx.pg.fy0 + ctx.pg.H
    m("block", wrong_block)

    def reuse_depot(p):  # split the biggest lot in two from the same depot
        b = max(p["bundles"], key=lambda b: len(b["assets"]))
        half = len(b["assets"]) // 2
        p["bundles"].append({"id": b["id"] + "-bis", "depot": b["depot"], "fy": b["fy"], "assets": b["assets"][half:]})
        b["assets"] = b["assets"][:half]
    m("depot_reused", reuse_depot)

    def drop(p):
        b = p["bundles"][-1]
        a = b["assets"].pop()
        del p["schedule"][a]
    m("coverage", drop)

    def twice(p):
        p["bundles"][-1]["assets"].append(p["bundles"][0]["assets"][0])
    m("duplicate", twice)

    def outsider(p):
        extra = [a for a in ctx.md.assets if a not in ctx.pg.planned]
        p["bundles"][0]["assets"].append(extra[0])
        p["schedule"][extra[0]] = p["bundles"][0]["fy"]
    m("not_in_programme", outsider)

    def tiny_lot(p):  # one cheap asset alone, from a free depot
        b = max(p["bundles"], key=lambda b: len(b["assets"]))
        a = min(b["assets"], key=lambda a: float(ctx.md.assets[a]["cost"]))
        b["assets"].remove(a)
        used = {(x["depot"], x["fy"]) for x in p["bundles"]}
        free = [d for d in ctx.hubs() if (d, b["fy"]) not in used]
        p["bundles"].append({"id": "tiny", "depot": free[0], "fy": b["fy"], "assets": [a]})
    m("min_value", tiny_lot)

    if L == 1:
        def disagree(p):
            a = p["bundles"][0]["assets"][0]
            p["schedule"][a] = p["bundles"][0]["fy"] + 1
        m("schedule", disagree)
    else:
        def no_year(p):
            del p["schedule"][p["bundles"][0]["assets"][0]]
        m("schedule", no_year)

        def outside_block(p):  # a year of its window, but in no block the lot covers
            p["bundles"][0]["assets"].append("__none__")
        m("unknown_asset", outside_block)

    def unknown_depot(p):
        p["bundles"][0]["depot"] = "no-such-depot"
    m("unknown_depot", unknown_depot)

    def empty(p):
        used = {(x["depot"], x["fy"]) for x in p["bundles"]}
        free = [d for d in ctx.md.depots if (d, ctx.pg.fy0) not in used]
        p["bundles"].append({"id": "empty", "depot": free[0], "fy": ctx.pg.fy0, "assets": []})
    m("empty_bundle", empty)

    def far_depot(p):  # the lot holding an asset some depot cannot reach moves there
        for d in ctx.md.depots.values():
            far = [a for a in ctx.planned if ctx.md.dist(d, ctx.md.assets[a]) > ctx.md.dmax]
            if far:
                b = find_lot(p, far[0])
                if all((d["id"], b["fy"]) != (x["depot"], x["fy"]) for x in p["bundles"]):
                    b["depot"] = d["id"]
                    return
    m("max_distance", far_depot)
    return out


def main():
    rng = random.Random(20261)
    cases = []

    def record(inst_rel, name, rule, plan):
        cases.append({"name": name, "instance": inst_rel, "breaks": rule, "plan": plan})

    base = load("pp-tiny.json")
    tight = write_variant("programme-referee/pp-tiny-tight.json", base, lambda d: (
        d["params"]["limits"].update({"min_value": 2000000, "max_value": 14000000, "max_workload": 60, "max_assets": 20}),
        d["programme"].update({"year_limits": {"max_workload": 100}}),
        d.update({"name": "pp-tiny-tight"})))
    strict = write_variant("programme-referee/pp-tiny-strict.json", base, lambda d: (
        d["params"].update({"mixed_discipline_surcharge": None, "region_locked": True,
                            "require_individual_rationality": True}),
        d["params"]["limits"].update({"min_value": 0}),
        d.update({"name": "pp-tiny-strict"})))
    multi_budget = write_variant("programme-referee/pp-multi-budget.json", load("pp-multi.json"), lambda d: (
        d["programme"].update({"budgets": {"29001": 3000000, "29003": [1e6, 2e6, 3e6, 4e6, 5e6]},
                               "year_limits": {"max_value": 30000000, "max_workload": 150}}),
        d.update({"name": "pp-multi-budget"})))

    for rel in ["pp-tiny.json", "pp-level.json", "pp-budget.json"]:
        inst = load(rel)
        ctx = Ctx(inst)
        hubs = ctx.hubs()
        cap = (inst["programme"].get("year_limits") or {}).get("max_value")
        for k, hub in enumerate(hubs[:6]):
            year = ctx.levelled(hub, cap)
            plan = yearly_plan(ctx, inst["name"], [hub], year)
            record(rel, f"{inst['name']}-one-hub-{hub}", "", plan)
            if k == 0:
                for rule, p in mutations(ctx, plan, rng):
                    record(rel, f"{inst['name']}-{rule}", rule, p)
        year = ctx.levelled(hubs[0], cap)
        plan = yearly_plan(ctx, inst["name"], None, year, west_east(ctx, hubs[0], hubs[1]))
        record(rel, f"{inst['name']}-west-east", "", plan)
        # Random bring-forward: every asset anywhere in its window, one hub.
        year = {a: rng.randint(*ctx.pg.window(a)) for a in ctx.planned}
        record(rel, f"{inst['name']}-random-years", "", yearly_plan(ctx, inst["name"], [hubs[1]], year))
        if rel == "pp-level.json":
            year = ctx.levelled(hubs[0])  # levelled for min_value only: a year is over the cap
            record(rel, "pp-level-unlevelled", "", yearly_plan(ctx, inst["name"], [hubs[0]], year))

    ctx = Ctx(tight)
    hubs = ctx.hubs()
    for k, hub in enumerate(hubs[:2]):
        year = ctx.levelled(hub)
        record("programme-referee/pp-tiny-tight.json", f"pp-tiny-tight-{hub}", "max_workload", yearly_plan(ctx, "pp-tiny-tight", [hub], year))
    # Lots of at most 12 assets a year, each from its own hub: small lots, many depots.
    for seed in range(3):
        year = {a: rng.randint(*ctx.pg.window(a)) for a in ctx.planned}
        plan = {"instance": "pp-tiny-tight", "bundles": [], "schedule": year}
        for y in ctx.pg.years:
            aids = sorted((a for a in ctx.planned if year[a] == y), key=lambda a: float(ctx.md.assets[a]["lon"]))
            for k in range(0, len(aids), 12):
                dep = hubs[(k // 12) % len(hubs)]
                plan["bundles"].append({"id": f"T{y}-{k}", "depot": dep, "fy": y, "assets": aids[k:k + 12]})
        record("programme-referee/pp-tiny-tight.json", f"pp-tiny-tight-chunks-{seed}", "", plan)
    ctx = Ctx(strict)
    hubs = ctx.hubs()
    disc = {a: ctx.md.assets[a]["_disc"] for a in ctx.planned}
    region = {a: ctx.md.munis[ctx.md.assets[a]["municipality"]]["region"] for a in ctx.planned}
    year = {a: ctx.pg.due[a] for a in ctx.planned}
    # One lot per municipality and discipline and year from its own office: feasible.
    own = lambda a: "office-" + ctx.md.assets[a]["municipality"]
    bundles = {}
    for a in ctx.planned:
        key = (own(a), year[a], disc[a])
        bundles.setdefault(key, []).append(a)
    by_depot_year = {}
    for (dep, y, g), aids in sorted(bundles.items()):
        by_depot_year.setdefault((dep, y), []).append((g, aids))
    plan = {"instance": "pp-tiny-strict", "bundles": [], "schedule": year}
    for (dep, y), groups in sorted(by_depot_year.items()):
        plan["bundles"].append({"id": f"{dep}-{y}", "depot": dep, "fy": y, "assets": groups[0][1]})
    spill = [aids for groups in by_depot_year.values() for _, aids in groups[1:]]
    free = [d for d in ctx.md.depots if d.startswith("district")]
    # second-discipline groups go to district depots, one per (district, year)
    used = set()
    for aids in spill:
        y = year[aids[0]]
        dep = next(d for d in free if (d, y) not in used and all(ctx.md.dist(ctx.md.depots[d], ctx.md.assets[a]) <= ctx.md.dmax for a in aids))
        used.add((dep, y))
        plan["bundles"].append({"id": f"{dep}-{y}", "depot": dep, "fy": y, "assets": aids})
    # the district lots travel farther than the offices: some municipalities pay more than alone
    record("programme-referee/pp-tiny-strict.json", "pp-tiny-strict-own-offices", "individual_rationality", plan)
    p = copy.deepcopy(plan)  # merge two lots of one year: mixes disciplines or regions
    by_year = {}
    for b in p["bundles"]:
        by_year.setdefault(b["fy"], []).append(b)
    for y, bs in sorted(by_year.items()):
        pair = [(x, z) for x in bs for z in bs if x is not z and {disc[a] for a in x["assets"]} != {disc[a] for a in z["assets"]}]
        if pair:
            x, z = pair[0]
            x["assets"] += z["assets"]
            p["bundles"].remove(z)
            break
    record("programme-referee/pp-tiny-strict.json", "pp-tiny-strict-mixed", "mixed_discipline", p)
    p = copy.deepcopy(plan)
    for y, bs in sorted(by_year.items()):
        pair = [(x, z) for x in p["bundles"] for z in p["bundles"] if x is not z and x["fy"] == z["fy"] == y
                and {disc[a] for a in x["assets"]} == {disc[a] for a in z["assets"]}
                and {region[a] for a in x["assets"]} != {region[a] for a in z["assets"]}]
        if pair:
            x, z = pair[0]
            x["assets"] += z["assets"]
            p["bundles"].remove(z)
            break
    record("programme-referee/pp-tiny-strict.json", "pp-tiny-strict-regions", "region_lock", p)
    # Everything from one hub in one lot a year: cheaper overall, but some municipality may
    # pay more than alone (IR, required here) and disciplines and regions mix.
    hub = hubs[0]
    record("programme-referee/pp-tiny-strict.json", "pp-tiny-strict-one-hub", "mixed_discipline",
           yearly_plan(ctx, "pp-tiny-strict", [hub], year))

    inst = load("pp-multi.json")
    ctx = Ctx(inst)
    hubs = ctx.hubs()
    for k, hub in enumerate(hubs[:4]):
        year = {a: ctx.pg.due[a] for a in ctx.planned}
        plan = block_plan(ctx, "pp-multi", hub, year)
        record("pp-multi.json", f"pp-multi-{hub}", "", plan)
        if k == 0:
            for rule, p in mutations(ctx, plan, rng):
                record("pp-multi.json", f"pp-multi-{rule}", rule, p)
    year = {a: rng.randint(*ctx.pg.window(a)) for a in ctx.planned}
    record("pp-multi.json", "pp-multi-random-years", "", block_plan(ctx, "pp-multi", hubs[0], year))
    split = west_east(ctx, hubs[0], hubs[1])
    plan = {"instance": "pp-multi", "bundles": [], "schedule": {a: ctx.pg.due[a] for a in ctx.planned}}
    for dep in (hubs[0], hubs[1]):
        plan["bundles"].append({"id": dep, "depot": dep, "fy": 2026, "assets": [a for a in ctx.planned if split(a) == dep]})
    record("pp-multi.json", "pp-multi-west-east", "", plan)

    ctx = Ctx(multi_budget)
    hubs = ctx.hubs()
    for hub in hubs[:2]:
        year = {a: ctx.pg.due[a] for a in ctx.planned}
        record("programme-referee/pp-multi-budget.json", f"pp-multi-budget-{hub}", "",
               block_plan(ctx, "pp-multi-budget", hub, year))
        year = {a: ctx.pg.window(a)[0] for a in ctx.planned}
        record("programme-referee/pp-multi-budget.json", f"pp-multi-budget-earliest-{hub}", "",
               block_plan(ctx, "pp-multi-budget", hub, year))

    with tempfile.TemporaryDirectory() as tmp:
        for c in cases:
            pf = os.path.join(tmp, "plan.json")
            with open(pf, "w") as f:
                json.dump(c["plan"], f)
            # The referee sums over sets: a fixed hash seed makes its last digits and its
            # "e.g." examples the same on every run, so regenerating changes nothing.
            r = subprocess.run([sys.executable, REFEREE, os.path.join(TESTDATA, c["instance"]), pf],
                               capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            if r.returncode not in (0, 1):
                sys.exit(f"referee failed on {c['name']}: {r.stderr}")
            c["referee"] = json.loads(r.stdout)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"referee": "referee.py (version 2), the independent judge", "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    feas = sum(c["referee"]["feasible"] for c in cases)
    print(f"{len(cases)} plans, {feas} feasible, {len(cases) - feas} infeasible")
    for c in cases:
        v = c["referee"]
        print(f"{c['name']:45s} {'ok ' if v['feasible'] else 'BAD'} {v['cost']:>16,.2f} {v['errors'][:1]}")


if __name__ == "__main__":
    main()
