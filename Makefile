# omsbox — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
ADDR      ?= 127.0.0.1:8080
FUZZTIME  ?= 20000x
BENCHTIME ?= 1s

IMAGE          ?= omsbox:dev
REFCLIENT_IMAGE ?= omsbox-refclient:dev

.PHONY: run test vet fmt-check unit fuzz bench lint build image refclient-image docker-check

## run: the sandbox on its embedded defaults (demo account demostore)
run:
	$(GO) run ./cmd/omsbox serve --addr $(ADDR)

## test: what CI runs — vet, gofmt, the race-checked suite, bounded fuzzing
test: vet fmt-check docker-check unit fuzz

## docker-check: say so, in one line, when the container tests will skip
docker-check:
	@docker info >/dev/null 2>&1 || echo "container tests: no Docker engine answers here; they are SKIPPED (start dockerd to run them)"

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt: not formatted:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 ./...

# Fuzz targets, each as Name or Name@package (default ./sandbox/).
FUZZ_TARGETS = FuzzVTEXRequests FuzzControlPlaneBodies FuzzInvoiceAndChanges FuzzCatalogRequests FuzzCarrierTrackingCode \
	FuzzMercadoLivreRequests FuzzParseNFe@./sandbox/mercadolivre/ FuzzTemplatesRouteAsMuxRegexpsDo@./openapi/ \
	FuzzPlainChecksAgreeWithKinOpenAPI@./openapi/

## fuzz: each fuzz target for FUZZTIME executions. A count, not a duration:
## Go 1.26's fuzz coordinator can fail a duration run spuriously with
## "context deadline exceeded" as the time runs out (golang/go#75804).
fuzz:
	@for spec in $(FUZZ_TARGETS); do \
		target=$${spec%%@*}; pkg=./sandbox/; case $$spec in *@*) pkg=$${spec#*@};; esac; \
		echo "fuzzing $$target in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

## bench: the figures the README states: the hot paths in process, then
## the omsbox binary over loopback beside a bare net/http server (start to
## healthy, GET order, 100,000 orders: creation rate, RSS, list orders;
## 100,000 orders seeded with Create orders)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./sandbox/...
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 30m ./cmd/omsbox/

## lint: vet and gofmt (no extra tools needed)
lint: vet fmt-check

## build: omsbox and, beside it, the contract harness omsbox-contracts
## (which `omsbox contracts` runs)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/ ./cmd/omsbox ./cmd/omsbox-contracts

## image: the omsbox container image (FROM scratch, nothing pulled; the
## contract harness, its own command, stays out)
image:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/omsbox ./cmd/omsbox
	docker build -t $(IMAGE) .

## refclient-image: the reference client as an image, for the harness
refclient-image:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/refclient ./cmd/refclient
	docker build -f Dockerfile.refclient -t $(REFCLIENT_IMAGE) .
