# tabane — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
ADDR    ?= 127.0.0.1:8080
DB      ?= tabane.db
export CGO_ENABLED = 1

.PHONY: build run test vet bench fuzz load clean readme-figures

build:
	$(GO) build -o bin/tabane ./cmd/tabane

run: build
	./bin/tabane serve --addr $(ADDR) --db $(DB)

vet:
	$(GO) vet ./...

# The browser tests (internal/e2e) run after the others, not beside them: headless Chromium
# starved of CPU by the solver's race-instrumented tests on a 2-core machine crawls. -timeout is
# a net against hangs (each browser wait has its own deadline), far above the few minutes a run takes.
E2E = ./internal/e2e/

test: vet
	$(GO) test -race -count=1 -timeout 20m $$($(GO) list ./... | grep -v '/internal/e2e$$')
	$(GO) test -race -count=1 -timeout 20m $(E2E)

# The national instance (≈150,000 assets) is generated, not stored: `tabane gen` is
# deterministic by seed, so every clone benchmarks the same instance.
NATIONAL = --seed 17 --munis 1700 --assets 150000 --spread 420 --districts 50

# The national five-year programme is the same instance with --programme 5 and 60 km (120 s).
# benchtable writes its tables into README.md between the figures:bench and
# figures:bench-programme markers, dated, with the machine's load.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	@mkdir -p bench-out
	test -s bench-out/national.json || ./bin/tabane gen $(NATIONAL) --max-distance 40 -o bench-out/national.json
	test -s bench-out/national-d60.json || ./bin/tabane gen $(NATIONAL) --max-distance 60 \
		--name synthetic-s17-m1700-n150000-d60 -o bench-out/national-d60.json
	test -s bench-out/national-pp.json || ./bin/tabane gen $(NATIONAL) --max-distance 60 --programme 5 -o bench-out/national-pp.json
	$(GO) run ./cmd/benchtable --instances solver/testdata --readme README.md \
		--extra national=bench-out/national.json --extra national-d60=bench-out/national-d60.json \
		--extra national-pp=bench-out/national-pp.json

# Fuzz targets as package:Name. `make fuzz` runs each for FUZZTIME (CI: 3s each, in .ci/run).
FUZZTIME ?= 60s
FUZZ_TARGETS = solver:FuzzParseInstance solver:FuzzEachMember solver:FuzzCompileProgramme data:FuzzImportCSV data:FuzzImportGeoJSON data:FuzzImportXROAD

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name (./$$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg/; \
	done

# The load benchmark (not a test): CLIENTS concurrent clients, at most REQUESTS requests
# or DURATION, against a real server on a temporary database; prints p50/p99 and errors.
# LOADFLAGS=--token serves with --require-token and sends a token with every request.
CLIENTS  ?= 8
REQUESTS ?= 4000
DURATION ?= 60s
LOADFLAGS ?=

load: build
	$(GO) run ./cmd/loadgen --bin bin/tabane --clients $(CLIENTS) --requests $(REQUESTS) --duration $(DURATION) $(LOADFLAGS)

# The what-if figures of README.md come from here, never by hand: the summit batch (capped by
# iterations, so the same numbers on any machine) and the cap × fixed-cost grid, solved afresh
# (the cache does not know the solver's version), the grid's chart copied to docs/, and the table
# and its sentences rewritten between the README's figures markers with the date and the machine.
# The bench tables come from `make bench`.
readme-figures: build
	rm -rf out/whatif-summit out/whatif-cap-fixed-cost out/whatif-programme out/whatif-cache
	./bin/tabane whatif examples/whatif-summit.yaml -o out/whatif-summit --cache out/whatif-cache --lang en
	@# The programme batch includes budgets no plan meets (exit 1, by design: the table shows them).
	./bin/tabane whatif examples/whatif-programme.yaml -o out/whatif-programme --cache out/whatif-cache --lang en; \
		test $$? -le 1 && test -s out/whatif-programme/results.csv
	./bin/tabane whatif examples/whatif-cap-fixed-cost.json -o out/whatif-cap-fixed-cost --cache out/whatif-cache
	cp out/whatif-cap-fixed-cost/chart.png docs/whatif-example.png
	$(GO) run ./cmd/readmefigures --readme README.md --results out/whatif-summit/results.csv \
		--programme out/whatif-programme

clean:
	rm -rf bin out bench-out screenshots
