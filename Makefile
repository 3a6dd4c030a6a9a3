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

clean:
	rm -rf bin out bench-out screenshots
