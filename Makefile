# The two commands: `make run` starts everything, `make test` runs every suite.
# Both install whatever is missing first (Python venv, npm packages, Chromium for browser tests).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CLIENT_SOURCES := $(shell find client/src client/public -type f 2>/dev/null) client/index.html client/vite.config.ts client/tsconfig.json

.PHONY: run test test-backend test-client test-browser test-crash test-cluster smoke-embedded deps deps-dev client-build chromium nginx manage clean-data help

help:
	@echo "make run    - install what is missing, build the dashboard, start every process"
	@echo "make test   - install what is missing, run backend, client and browser tests"
	@echo "make test-crash - the trading crash test with 20 kill -9 runs per point (TRADING_CRASH_RUNS)"
	@echo "make test-cluster - scale-out tests: stream shards, scan batches, nginx, the cluster in network namespaces"

run: deps client-build
	@scripts/run.sh

test: deps-dev client-build chromium
	@scripts/test.sh

test-backend: deps-dev
	@scripts/test.sh backend

test-client: client/node_modules/.package-lock.json
	@scripts/test.sh client

test-browser: deps-dev client-build chromium
	@scripts/test.sh browser

# The trading crash test at full strength: kill -9 at every point, 20 runs each (`make test` runs 2).
test-crash: deps-dev
	@TRADING_CRASH_RUNS=$${TRADING_CRASH_RUNS:-20} PYTEST_ADDOPTS="backend/trading/tests/test_crash.py $${PYTEST_ADDOPTS:-}" \
	  scripts/test.sh backend

# Scale-out: stream shards taken over, the scan split over two workers, Daphne instances behind
# nginx (scripts/cluster/: network namespaces as hosts when run as root; SCALING.md).
test-cluster: deps-dev client-build nginx
	@scripts/cluster/test_cluster.sh

# Start `make run` with neither DATABASE_URL nor REDIS_URL, wait for a healthy /api/health/, stop it.
smoke-embedded: deps client-build
	@scripts/smoke_embedded.sh

manage: deps
	@scripts/with_env.sh $(PY) backend/manage.py $(ARGS)

# --- installation (each step reruns only when its inputs change) ---------------
$(PY):
	python3 -m venv $(VENV)
	$(PIP) install -qq --upgrade pip

$(VENV)/.deps-run: backend/requirements.txt | $(PY)
	$(PIP) install -qq -r backend/requirements.txt
	@touch $@

$(VENV)/.deps-dev: backend/requirements-dev.txt $(VENV)/.deps-run
	$(PIP) install -qq -r backend/requirements-dev.txt
	@touch $@

deps: $(VENV)/.deps-run
deps-dev: $(VENV)/.deps-dev

client/node_modules/.package-lock.json: client/package-lock.json
	cd client && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

client/dist/index.html: client/node_modules/.package-lock.json $(CLIENT_SOURCES)
	cd client && npm run build --silent

client-build: client/dist/index.html

chromium:
	@command -v chromium >/dev/null || { echo "Installing Chromium for browser tests"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium >/dev/null; }

# nginx in front of several Daphne instances (deploy/nginx/platform.conf, SCALING.md): Debian's package.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "Installing nginx"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq nginx-light >/dev/null; }

clean-data:
	rm -rf .data
