#!/usr/bin/env python3
"""Has the independent referee judge every recorded plan and writes verdicts.json.

judge.py REFEREE JOBS OUT ROOT
  REFEREE  the referee script (referee.py INSTANCE PLAN prints a JSON verdict, exit 0 if feasible)
  JOBS     the plans the tests wrote (JSON lines; TABANE_REFEREE_JOBS, see record.sh)
  OUT      the verdicts file to write (testdata/referee/verdicts.json)
  ROOT     the repository root (instance files are named from it)

Each plan is judged as a planner would: `python3 REFEREE instance.json plan.json`, one process
per plan. Only record.sh runs this; `make test` reads OUT and needs no Python.
"""
import hashlib, json, os, subprocess, sys, tempfile


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    referee, jobs_path, out_path, root = sys.argv[1:]
    records = {}
    with open(jobs_path, encoding="utf-8") as f, tempfile.TemporaryDirectory() as tmp:
        for n, line in enumerate(f, 1):
            job = json.loads(line)
            name = job["name"]
            if name in records:
                sys.exit(f"{jobs_path}:{n}: the plan {name!r} is recorded twice")
            if job.get("instance_file"):
                ip = os.path.join(root, job["instance_file"])
                with open(ip, "rb") as g:
                    raw = g.read()
            else:
                raw = json.dumps(job["instance"], ensure_ascii=False).encode()
                ip = os.path.join(tmp, "instance.json")
                with open(ip, "wb") as g:
                    g.write(raw)
            pp = os.path.join(tmp, "plan.json")
            with open(pp, "w", encoding="utf-8") as g:
                json.dump(job["plan"], g, ensure_ascii=False)
            run = subprocess.run([sys.executable, referee, ip, pp], capture_output=True, text=True)
            try:
                verdict = json.loads(run.stdout)
            except ValueError:
                sys.exit(f"{name}: the referee printed no verdict (exit {run.returncode}):\n{run.stdout}{run.stderr}")
            job["instance_sha256"] = hashlib.sha256(raw).hexdigest()
            job["exit"] = run.returncode
            job["verdict"] = verdict
            records[name] = job
    # One record a line, sorted by name: re-recording shows as a readable diff.
    lines = [json.dumps(k, ensure_ascii=False) + ": " + json.dumps(records[k], ensure_ascii=False, separators=(",", ":"))
             for k in sorted(records)]
    with open(out_path, "w", encoding="utf-8") as g:
        g.write("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"{out_path}: {len(records)} verdict(s), "
          f"{sum(r['verdict']['feasible'] for r in records.values())} feasible")


if __name__ == "__main__":
    main()
