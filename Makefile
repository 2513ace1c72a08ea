# alumni-graph — `make run` serves the demo, `make test` runs the tests.
# Needs Python 3.11+ with its headers, a C compiler, Java 17 and Maven; everything else is fetched.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CLI    := $(BIN)/alumni-graph

# The demo server and the test server live side by side.
DEMO_DIR   ?= .neo4j/local
DEMO_BOLT  ?= 7687
DEMO_HTTP  ?= 7474
TEST_DIR   ?= .neo4j/test
TEST_BOLT  ?= 7697
TEST_HTTP  ?= 7484
DEMO_DATA  ?= var/demo-club
DEMO_TIER  ?= club
DEMO_SEED  ?= 2001
HOST       ?= 127.0.0.1
PORT       ?= 8000

# Every install takes exactly the versions in the lock; `make lock` renews it from pyproject.toml.
LOCK       := requirements-test.lock
UV_VERSION := 0.13.9

PYTEST     = $(BIN)/python -m pytest -q -p no:cacheprovider
# The tiers (tests/conftest.py marks them by the fixtures a test uses): make test-fast runs
# what needs neither Neo4j nor Chromium, on every core, with the doctests of graph/ and loaders/.
FAST_MARKS   = not neo4j and not browser and not fuzz and not slow
SERVER_MARKS = (neo4j or browser or fuzz) and not slow
WORKERS   ?= auto

DEMO_MAIL  ?= var/mail
# the demo sends no mail: it writes it to $(DEMO_MAIL) and lists it on the terminal
DEMO_ENV = ALUMNI_GRAPH_NEO4J_DIR=$(DEMO_DIR) ALUMNI_GRAPH_BOLT_PORT=$(DEMO_BOLT) ALUMNI_GRAPH_HTTP_PORT=$(DEMO_HTTP) \
	ALUMNI_GRAPH_MAIL_DIR=$(DEMO_MAIL) ALUMNI_GRAPH_SMTP_HOST=
TEST_ENV = ALUMNI_GRAPH_NEO4J_DIR=$(TEST_DIR) ALUMNI_GRAPH_BOLT_PORT=$(TEST_BOLT) ALUMNI_GRAPH_HTTP_PORT=$(TEST_HTTP)

.PHONY: help install lock neo4j-fetch run demo-data test test-fast test-slow fuzz lint bench clean stop chromium oidc-provider axe

help:
	@echo "make run    - set up everything, start Neo4j, load the demo club, serve on http://$(HOST):$(PORT)"
	@echo "make test   - lint and run the tests against their own Neo4j"
	@echo "make test-fast - the tests that need no Neo4j and no browser, in parallel (about a minute)"
	@echo "make lock   - renew the lock files from pyproject.toml"
	@echo "make bench  - run the benchmarks (figures go to bench/RESULTS.md)"
	@echo "make test-slow - the long tests (faculty-tier killed loads, 100 MB file)"
	@echo "make fuzz   - fuzz the API longer (FUZZ_EXAMPLES cases per operation)"
	@echo "make stop   - stop the demo Neo4j"

# The package is built in the environment itself, from the lock's setuptools and Cython
# (pyproject.toml's build extra), and the C extension again when its source changed.
$(STAMP): pyproject.toml $(LOCK) graph/algorithms/_candidate_pass.pyx graph/algorithms/_source_walk.pyx
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# requirements-test.lock: everything make installs (the service, the tests, the build);
# requirements.lock: the service and its build alone, at the same versions, for a deployment.
# Universal (markers for other Pythons and platforms) and hashed.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock"
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV_COMPILE) --extra test --extra build --upgrade -o requirements-test.lock
	$(UV_COMPILE) --extra build -c requirements-test.lock -o requirements.lock

neo4j-fetch: $(STAMP)
	$(BIN)/python -c 'from service.neo4j_server import check_prerequisites, resolve_classpath; check_prerequisites(); resolve_classpath(quiet=False)'

run: $(STAMP)
	$(DEMO_ENV) $(CLI) neo4j start
	@test -f $(DEMO_DATA)/members.csv || $(CLI) generate --tier $(DEMO_TIER) --seed $(DEMO_SEED) $(DEMO_DATA)
	$(DEMO_ENV) $(CLI) load $(DEMO_DATA)
	@$(DEMO_ENV) $(BIN)/python -m service.demo_signin --base-url http://$(HOST):$(PORT)
	$(DEMO_ENV) $(CLI) serve --host $(HOST) --port $(PORT)

stop: $(STAMP)
	$(DEMO_ENV) $(CLI) neo4j stop

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The browser tests (tests/web) drive Debian's Chromium. Installed here when missing; if it
# cannot be, the suite still runs and those tests fail saying why.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@test -x /usr/bin/chromium || $(SUDO) apt-get install -y chromium \
	  || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; } \
	  || echo "Chromium could not be installed: the browser tests in tests/web will fail" >&2

# The sign-in tests (tests/signin) run a real OpenID Connect provider, oidc-provider from
# npm, with node; its exact versions are pinned by the package-lock.json beside it.
OIDC_PROVIDER := tests/support/oidc
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund
oidc-provider: $(OIDC_PROVIDER)/node_modules/.package-lock.json

# axe-core, for the accessibility audit of the web pages (tests/web), from npm at the
# version tests/web/axe/package-lock.json pins.
AXE_JS = tests/web/axe/node_modules/axe-core/axe.min.js
axe:
	@test -f $(AXE_JS) || npm ci --prefix tests/web/axe --no-audit --no-fund \
	  || echo "axe-core could not be installed: the accessibility audit in tests/web will fail" >&2

# Everything but slow: first the tests that need no server, on every core, then those
# that share the one test server (they wipe its data, so they run one at a time).
test: $(STAMP) lint chromium oidc-provider axe test-fast
	$(TEST_ENV) $(PYTEST) -m "$(SERVER_MARKS)" $(PYTEST_ARGS)

# No Neo4j is started: a test that asks for it fails (ALUMNI_GRAPH_TESTS_NO_NEO4J).
test-fast: $(STAMP)
	ALUMNI_GRAPH_TESTS_NO_NEO4J=1 $(PYTEST) -n $(WORKERS) -m "$(FAST_MARKS)" \
		--doctest-modules tests graph loaders $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(TEST_ENV) $(PYTEST) -m slow $(PYTEST_ARGS)

FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	$(TEST_ENV) ALUMNI_GRAPH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PYTEST) \
		tests/reliability/test_reliability_fuzz.py $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) neo4j/target var .pytest_cache $(OIDC_PROVIDER)/node_modules build
	rm -f graph/algorithms/_candidate_pass.c graph/algorithms/_candidate_pass.*.so
	rm -f graph/algorithms/_source_walk.c graph/algorithms/_source_walk.*.so
