# sessiongate: `make run` starts the gateway on ./functions, `make test` runs every test.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/debug/sessiongate

PG_TEST := scripts/pg-test-cluster.sh

.PHONY: deps build run test test-swift test-patterns test-functions test-js test-browser smoke bench bench-patterns cluster

# Lua 5.4 comes from Debian's liblua5.4-dev; install it only when missing.
deps:
	@if ! command -v pkg-config >/dev/null || ! pkg-config --exists lua5.4; then \
		echo "installing liblua5.4-dev"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y liblua5.4-dev pkg-config; \
	fi
	@# The gateway's allocator (Package.swift links the sessiongate binary with it).
	@if ! ls /usr/lib/*/libtcmalloc_minimal.so.4 >/dev/null 2>&1; then \
		echo "installing libtcmalloc-minimal4"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y libtcmalloc-minimal4; \
	fi
	@# The TLS tests make their certificates with the openssl command.
	@if ! command -v openssl >/dev/null; then \
		echo "installing openssl"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y openssl; \
	fi
	@# PostgreSQL's server binaries, for the tests of the shared store (a throw-away cluster).
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "installing postgresql"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql; \
	fi

build: deps
	$(SWIFT) build

run: build
	$(BIN) serve --functions ./functions --database sqlite:./sessiongate.sqlite

test: deps
	$(SWIFT) build --build-tests
	$(MAKE) test-swift
	$(MAKE) test-patterns
	$(MAKE) test-functions
	$(MAKE) test-js
	$(MAKE) test-browser

# Our string.find/match/gmatch/gsub against liblua's own, case by case (C, no Swift).
PATTERN_DIFF := .build/pattern_diff
test-patterns: deps
	@mkdir -p .build
	$(CC) -O2 -o $(PATTERN_DIFF) -I Sources/CLuaShim/include -I Sources/CLuaShim $$(pkg-config --cflags lua5.4) \
		Tests/PatternDiff/pattern_diff.c Sources/CLuaShim/*.c $$(pkg-config --libs lua5.4)
	$(PATTERN_DIFF) Tests/PatternDiff/driver.lua

# The Swift tests, with a throw-away PostgreSQL cluster for the shared store's tests: started
# before, stopped after, also when a test fails. Without SESSIONGATE_TEST_POSTGRES_URL those tests fail.
test-swift:
	@$(PG_TEST) start
	@SESSIONGATE_TEST_POSTGRES_URL=$$($(PG_TEST) url) $(SWIFT) test --skip-build; \
		status=$$?; $(PG_TEST) stop; exit $$status

# PostgreSQL and two gateways (ports 8080 and 8081) on ./functions, for trying a cluster by hand.
cluster: build
	scripts/cluster.sh

# The Lua tests of the default functions and of every sample.
test-functions:
	$(BIN) test functions
	@for dir in samples/*/; do \
		if ls $$dir*_test.lua $$dir/tests/*_test.lua 2>/dev/null | grep -q .; then \
			echo "== $$dir"; $(BIN) test $$dir || exit 1; \
		fi; \
	done

# The browser client and `connect` under Node, against real gateways.
test-js:
	@if command -v node >/dev/null; then \
		SESSIONGATE_BIN=$(BIN) node --test --experimental-websocket Tests/JS/; \
	else echo "SKIPPED: node is not installed, the JS client tests did not run"; fi

# The demo page in headless Chromium; prints SKIPPED with the reason when Chromium is missing.
test-browser:
	SESSIONGATE_BIN=$(BIN) python3 Tests/JS/browser_test.py

# The black-box conformance check shipped beside the repo.
smoke: build
	SESSIONGATE_CMD=$(BIN) python3 -m pytest -q ../shared/conformance-smoke

bench: deps
	$(SWIFT) build -c release --product RuntimeBenchmark
	.build/release/RuntimeBenchmark

# Our pattern functions against liblua's, same process, medians (see BENCHMARKS.md §4).
bench-patterns: deps
	@mkdir -p .build
	$(CC) -O2 -o .build/pattern_bench -I Sources/CLuaShim/include -I Sources/CLuaShim $$(pkg-config --cflags lua5.4) \
		benchmarks/pattern_bench.c Sources/CLuaShim/*.c $$(pkg-config --libs lua5.4)
	.build/pattern_bench
