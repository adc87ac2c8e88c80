# tinytorch: build the executed documentation site and run the tests.
#
#   make html     build the site into _build/html (executes examples, runs doctests)
#   make test     run every test (unit, doctests, examples as scripts, site, browser)
#
# `make help` lists every target, from the `##` comment on each target's line.
# Every target creates .venv on first use and installs the pinned dependencies
# (pyproject extras constrained by requirements/lock.txt).

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
BUILD    := _build
SPHINXOPTS ?= -j auto
PORT     ?= 8000
# PyTorch is optional: "How we know it is right" and "Performance" compare with
# it where it is installed. TORCH=auto (default): `make html` installs it once
# per venv if pip can, and builds without it otherwise; TORCH=1: it must
# install; TORCH=0: not installed by make (an installed one is still used).
TORCH    ?= auto
TORCH_REQUIREMENT := torch==2.13.0

# The fast unit suite: no site build, no browser, no examples run as scripts.
CHECK_ARGS := -m "not site and not browser" --ignore=tests/test_examples.py

.PHONY: html doctest test check mutation serve bench clean lock help torch

help: ## list the targets
	@grep -E '^[a-z][a-z-]*:.*## ' Makefile | \
	    awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# A file target: quick when nothing changed; re-installs when pyproject.toml or
# the lock file is newer than the last install.
$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	    { echo "Python >= 3.11 is needed (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    -r requirements/lock.txt
	@touch $@

torch: $(STAMP) ## install PyTorch's CPU build (the site's and tests' comparisons with it)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH_REQUIREMENT)"

# Tried once per venv (and again after a re-install of the lock file).
$(VENV)/.torch-auto: $(STAMP)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH_REQUIREMENT)" \
	    || echo "== PyTorch is not installable here: the site leaves its comparisons out"
	@touch $@

$(VENV)/.torch-1: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH_REQUIREMENT)"
	@touch $@

TORCH_STAMP := $(if $(filter 0,$(TORCH)),,$(VENV)/.torch-$(TORCH))

# HTML, then the doctest builder over the same doctrees (nothing is re-read or
# re-executed), so a wrong docstring example fails `make html`. The doctests
# re-run whenever the environment changed (any re-read page, any change to
# tinytorch's source); a failed run leaves no stamp, so it is re-run next time.
html: $(STAMP) $(TORCH_STAMP) ## build the site into _build/html (executes examples, runs doctests)
	$(BIN)/sphinx-build -W --keep-going $(SPHINXOPTS) -b html -d $(BUILD)/doctrees . $(BUILD)/html
	@$(MAKE) --no-print-directory $(BUILD)/doctest/passed

$(BUILD)/doctest/passed: $(BUILD)/doctrees/environment.pickle
	@rm -f $@
	$(BIN)/sphinx-build -W --keep-going -q -b doctest -d $(BUILD)/doctrees . $(BUILD)/doctest
	@touch $@

doctest: $(STAMP) ## run the doctest builder over the site's pages
	$(BIN)/sphinx-build -W --keep-going -b doctest -d $(BUILD)/doctrees . $(BUILD)/doctest

test: $(STAMP) ## run every test (unit, doctests, examples as scripts, site, browser)
	$(BIN)/python -m pytest

check: $(STAMP) ## unit tests and doctests of tinytorch only: the seconds-long inner loop
	$(BIN)/python -m pytest -q $(CHECK_ARGS)

# Mutation testing of tinytorch/core with the fast unit suite (about 45 minutes
# on 2 cores; not part of `make test` or CI). mutmut's settings are under
# [tool.mutmut] in pyproject.toml; results stay in mutants/, so a re-run only
# re-checks what changed. mutation/report.py prints per-file scores without the
# message-only mutants and those listed in mutation/equivalent.txt; then
# mutation/gradients.py negates and zeroes each gradient every backward returns.
# `make mutation MUTANTS='tinytorch.core.losses.*'` re-checks one file's mutants
# (after new tests); `mutation/report.py --survivors losses.py` lists what survives.
MUTMUT_JOBS ?= 2
MUTANTS ?=
mutation: $(STAMP) ## mutation-test tinytorch/core (slow) and print per-file scores
	@mkdir -p $(BUILD)
	nice $(BIN)/mutmut run --max-children $(MUTMUT_JOBS) $(MUTANTS) > $(BUILD)/mutmut.log 2>&1 || \
	    { tail -c 3000 $(BUILD)/mutmut.log; exit 1; }
	$(BIN)/python mutation/report.py
	nice $(BIN)/python mutation/gradients.py -j $(MUTMUT_JOBS)

serve: html ## build the site, then serve it on 127.0.0.1 (PORT=8000)
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(BUILD)/html $(PORT)

bench: $(STAMP) ## time tinytorch against hand-written NumPy floors
	$(BIN)/python benchmarks/run.py

clean: ## remove the build outputs and mutmut's copies
	rm -rf $(BUILD) docs/api/generated mutants

# Re-pin: install the extras into a scratch venv and freeze exact versions.
lock: ## re-pin requirements/lock.txt from the pyproject extras
	rm -rf $(BUILD)/lockvenv build
	$(PYTHON) -m venv $(BUILD)/lockvenv
	$(BUILD)/lockvenv/bin/python -m pip install --quiet --disable-pip-version-check ".[docs,test,dev]"
	{ sed -n '1,2p' requirements/lock.txt; \
	  $(BUILD)/lockvenv/bin/python -m pip freeze --exclude tinytorch; } > requirements/lock.tmp
	mv requirements/lock.tmp requirements/lock.txt
	rm -rf $(BUILD)/lockvenv build
