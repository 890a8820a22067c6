# chipwatch: every target bootstraps what it needs on a fresh machine.
#   make demo   start the local Neo4j (unless NEO4J_URI is set) and run the demo
#   make test   install, build the Neo4j launcher, start Neo4j, run pytest, stop Neo4j

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: demo test install tools browser db-start db-stop clean

install: $(STAMP)

# Reinstall whenever the dependencies or their pins change.
$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "chipwatch: Python 3.11+ is needed: install python3.11 (Debian/Ubuntu: apt-get install python3 python3-venv)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# One clear line each when Java or Maven is missing (not needed with NEO4J_URI).
tools:
	@if [ -z "$$NEO4J_URI" ]; then \
	  command -v java >/dev/null || { echo "chipwatch: Java 17+ is needed for the local Neo4j: apt-get install openjdk-17-jdk-headless (or set NEO4J_URI)"; exit 1; }; \
	  command -v mvn >/dev/null || { echo "chipwatch: Maven is needed to build the local Neo4j launcher: apt-get install maven (or set NEO4J_URI)"; exit 1; }; \
	fi

# The report's browser test uses Debian's chromium (nothing is downloaded from a browser hub).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chipwatch: the report test needs Chromium: sudo apt-get install chromium"; exit 1; fi; }

db-start: install tools
	$(BIN)/chipwatch db start

db-stop: install
	$(BIN)/chipwatch db stop

demo: install tools
	$(BIN)/chipwatch demo

# Neo4j is stopped whether the tests pass or not; pytest's exit code is kept.
test: install tools browser
	$(BIN)/chipwatch db start
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	  $(BIN)/chipwatch db stop; exit $$status

clean:
	-$(BIN)/chipwatch db stop
	rm -rf $(VENV) graph/neo4j-launcher/target

# Reliability (docs/RELIABILITY.md): tests/reliability with its long variants and the fault
# tests (Neo4j stopped mid-load, kills, a full disk), then a bounded fuzz run per target
# (FUZZ_SECONDS each, default 45); prints the figures.
.PHONY: reliability
reliability: install tools
	$(BIN)/chipwatch db start
	@status=0; $(BIN)/python -m tests.reliability.run_all || status=$$?; \
	  $(BIN)/chipwatch db stop; exit $$status
