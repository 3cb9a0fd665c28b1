# most-archive: every target creates the virtualenv (.venv) first if it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pywb and py-wacz live apart (see replay-venv below)
REPLAY_VENV  := .venv-replay
REPLAY_STAMP := $(REPLAY_VENV)/.installed
PORT   ?= 8765
DEMO_ARTICLES ?= 200
DB     ?= archive.db

.PHONY: help venv replay-venv demo crawl test lint eval bench bench-quick reliability clean

help:
	@echo "make demo         serve both portals of the replica on 127.0.0.1, crawl them into demo/archive.db, summarise, search"
	@echo "make test         run the test suite (offline, against the replica)"
	@echo "make crawl        crawl the real sites (mst.gov.vn and www.most.gov.vn) into $(DB)"
	@echo "make lint         ruff + mypy"
	@echo "make eval         parser accuracy against the replica's ground truth, beside trafilatura"
	@echo "make bench        benchmarks; writes docs/benchmarks.md"
	@echo "make bench-quick  the benchmark harness on tiny inputs, scrapy bench included (CI runs it)"
	@echo "make reliability  the crash loop, fault table and hostile-server table; writes docs/reliability.md"

venv: $(STAMP) $(REPLAY_STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,compare]'
	touch $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh $(PORT) $(DEMO_ARTICLES)

crawl: $(STAMP)
	$(BIN)/most-archive crawl --db $(DB)

# pytest-xdist: a worker per core and one more (3 on the 2-core box the suite is sized for); a file's tests
# go to one worker (--dist loadfile), so a fixture its tests share is built once (tests/conftest.py),
# in the order tests/conftest.py gives them (the longest files first; --no-loadscope-reorder keeps
# xdist from putting the files with the most tests first instead).
# One worker more than the cores: a crawl test waits at times by design (retries, timeouts, a
# time limit), and the third worker's crawl uses that CPU (on 2 cores: 118 s against 133 s with
# 2 workers, same load). TEST_WORKERS=0 runs everything in one process; PYTEST_ARGS adds options
# (e.g. --durations=15).
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
PYTEST_ARGS  ?=

# pywb (the replay test of the WARC/WACZ export, tests/replay) pins dependencies that clash with
# ours (cryptography, pyOpenSSL), and py-wacz (export --format wacz) brings rich, which breaks
# Datasette's error pages: both get their own virtualenv, from tests/replay/requirements.txt;
# the tests find wacz through MOST_ARCHIVE_WACZ.
replay-venv: $(REPLAY_STAMP)

$(REPLAY_STAMP): tests/replay/requirements.txt
	test -d $(REPLAY_VENV) || $(PYTHON) -m venv $(REPLAY_VENV)
	$(REPLAY_VENV)/bin/pip install -q --upgrade pip
	$(REPLAY_VENV)/bin/pip install -q -r tests/replay/requirements.txt
	touch $(REPLAY_STAMP)

# compileall first: with PYTHONDONTWRITEBYTECODE set (as on the development machine) every one of
# the suite's few hundred subprocesses (crawls, replicas, CLI runs) would compile the project's
# modules from source again, about 0.15 s of CPU each; this writes their .pyc once (a no-op when
# they are current; __pycache__ is ignored by git). The test run itself writes bytecode too
# (PYTHONDONTWRITEBYTECODE emptied): pytest then keeps the test modules it rewrites for its
# assertion messages, which each worker otherwise rewrites again at every run (2.5 s of CPU).
test: $(STAMP) $(REPLAY_STAMP)
	$(BIN)/python -m compileall -q most_archive crawler archive replica benchmarks
	PYTHONDONTWRITEBYTECODE= MOST_ARCHIVE_REPLAY_PYTHON="$(CURDIR)/$(REPLAY_VENV)/bin/python" \
	MOST_ARCHIVE_WACZ="$(CURDIR)/$(REPLAY_VENV)/bin/wacz" \
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile \
	    --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check most_archive crawler archive replica tests benchmarks
	$(BIN)/ruff format --check most_archive crawler archive replica tests benchmarks
	$(BIN)/mypy

eval: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m benchmarks.eval_parser --pages 1000 --out docs/parser-eval.md

bench: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m benchmarks.run --out docs/benchmarks.md

# The tests marked `bench` (tests/conftest.py): the whole harness on tiny inputs, `scrapy bench`
# included, whose server binds the fixed port 8998; so not in `make test`.
bench-quick: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -m bench tests/benchmarks

RELIABILITY_OUT ?= docs/reliability.md
# Every crawl started from scratch, the hostile table's pytest run included (MOST_ARCHIVE_TEST_EXEC:
# tests/forked.py); `make test` forks its crawls from a warm interpreter instead.

reliability: $(STAMP)
	MOST_ARCHIVE_TEST_EXEC=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m benchmarks.reliability --out $(RELIABILITY_OUT)

clean:
	rm -rf demo bench-out .pytest_cache .mypy_cache .ruff_cache
