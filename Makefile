# Vinculo: `make run` serves the demo business, `make test` runs every test.
export GOTOOLCHAIN := auto

DATA ?= ./vinculo_data
HTTP ?= 127.0.0.1:8090

.PHONY: build run test bench clean

build:
	go build -o vinculo .

# Build, create the demo data on first run, serve on $(HTTP).
run: build
	@if [ ! -f "$(DATA)/data.db" ]; then ./vinculo demo --dir "$(DATA)"; fi
	./vinculo serve --dir "$(DATA)" --http "$(HTTP)"

test:
	go vet ./...
	go test -count=1 ./...

bench: build
	go run ./bench

clean:
	rm -rf vinculo "$(DATA)"
