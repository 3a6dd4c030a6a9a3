# tabane — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
ADDR    ?= 127.0.0.1:8080
DB      ?= tabane.db
export CGO_ENABLED = 1

.PHONY: build run test vet bench fuzz load clean

build:
	$(GO) build -o bin/tabane ./cmd/tabane

run: build
	./bin/tabane serve --addr $(ADDR) --db $(DB)

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -race -count=1 ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	@mkdir -p bench-out
	test -s bench-out/national.json || { python3 ../shared/tools/gen.py --seed 17 --munis 1700 --assets 150000 \
		--spread 420 --max-distance 40 --districts 50 > bench-out/national.json.tmp && \
		mv bench-out/national.json.tmp bench-out/national.json; }
	test -s bench-out/national-d60.json || python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); \
		d["params"]["limits"]["max_distance_km"]=60; d["name"]+="-d60"; json.dump(d,open(sys.argv[2],"w"))' \
		bench-out/national.json bench-out/national-d60.json
	$(GO) run ./cmd/benchtable --instances ../shared/instances \
		--extra national=bench-out/national.json --extra national-d60=bench-out/national-d60.json

# Fuzz targets as package:Name. `make fuzz` runs each for FUZZTIME (CI: 3s each, in .ci/run).
FUZZTIME ?= 60s
FUZZ_TARGETS = solver:FuzzParseInstance solver:FuzzEachMember data:FuzzImportCSV data:FuzzImportGeoJSON data:FuzzImportXROAD

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

clean:
	rm -rf bin out bench-out screenshots
