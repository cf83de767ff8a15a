# complaintd - everything starts from a fresh checkout: `make demo`, `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST := $(PY) -m pytest

.PHONY: install demo test test-slow test-multi fuzz lint format bench bench-scale plans wheel-check clean

install: $(STAMP)

$(STAMP): pyproject.toml tools/install-system-packages.sh
	./tools/install-system-packages.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,postgres]'
	touch $(STAMP)

demo: install
	$(PY) -m tools.demo

test: install
	$(PYTEST) -q -m "not slow"

test-slow: install
	$(PYTEST) -q -m slow

# Several instances on one PostgreSQL: kills, takeovers, servers restarted (some are slow).
test-multi: install
	$(PYTEST) -q -s -m multi

# The fuzz harness with random inputs; `make test` runs it derandomized and short.
# FUZZ_EXAMPLES=N sets how many mutated messages to try (default 20,000) in the pure
# stages; FUZZ_LEDGER_EXAMPLES=N how many are stored in SQLite and PostgreSQL (500 each).
fuzz: install
	FUZZ_PROFILE=long $(PYTEST) -q tests/fuzz tests/integration/test_fuzz_ledger.py

lint: install
	$(VENV)/bin/ruff check daemon tests tools
	$(VENV)/bin/ruff format --check daemon tests tools
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy tests tools

format: install
	$(VENV)/bin/ruff format daemon tests tools
	$(VENV)/bin/ruff check --fix daemon tests tools

wheel-check: install
	$(PY) -m tools.wheel_check

bench: install
	$(PY) -m tools.bench_ingest
	$(PY) -m tools.bench_desk
	$(PY) -m tools.bench_outbox
	$(PY) -m tools.bench_jobs
	$(PY) -m tools.bench_instances
	$(PY) -m tools.bench_fax
	$(PY) -m tools.bench_reports

# Issue 17: per-message cost and ratios of the real desk for 200, 2,000 and 20,000 messages
# (about 15 minutes; `python -m tools.bench_desk --scale 200,2000` for the quick part).
bench-scale: install
	$(PY) -m tools.bench_desk --scale 200,2000,20000 --runs 1

# The plan and cost of every statement complaintd runs, on a ledger of a million tickets
# (built once in /tmp/complaintd-plans, about 7 GB; TICKETS=N for another size;
# PLANS_ARGS=--postgres for PostgreSQL too). Not in `make test`:
# tests/integration/test_query_plans.py checks the plans on a small ledger there.
TICKETS ?= 1000000
plans: install
	$(PY) -m tools.query_plans --tickets $(TICKETS) $(PLANS_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench-results
