# Vinculo: `make run` serves the demo business, `make test` runs every test.
export GOTOOLCHAIN := auto

DATA ?= ./vinculo_data
HTTP ?= 127.0.0.1:8090

.PHONY: build run test ui ui-deps ui-test bench clean

build:
	go build -o vinculo .

# Build the workspace and the binary, create the demo data on first run,
# serve on $(HTTP).
run: ui build
	@if [ ! -f "$(DATA)/data.db" ]; then ./vinculo demo --dir "$(DATA)"; fi
	./vinculo serve --dir "$(DATA)" --http "$(HTTP)"

# The UI is built first, so that the Go tests weigh and serve the pages
# that ship (VINCULO_UI_BUILT makes a missing build a failure, not a skip).
# The access matrix is one package of many worlds: a slow machine needs more
# than go test's default ten minutes for it.
test: ui
	go vet ./...
	VINCULO_UI_BUILT=1 go test -count=1 -timeout 40m ./...
	cd ui && npm test
	cd ui && npm run e2e

# The staff workspace (Svelte + Vite, Node.js 20.19+): installs the locked
# packages and builds ui/dist, which the next `go build` embeds.
ui: ui-deps
	cd ui && npm run build

ui-deps:
	cd ui && npm ci --no-audit --no-fund

# The UI's unit tests (Vitest), its build, then the browser tests: Debian's
# Chromium (/usr/bin/chromium, or CHROMIUM_PATH) against a real server built
# with that UI, on a free loopback port with fresh demo data.
ui-test: ui-deps
	cd ui && npm test
	cd ui && npm run build
	cd ui && npm run e2e

bench: build
	go run ./bench

clean:
	rm -rf vinculo "$(DATA)"
