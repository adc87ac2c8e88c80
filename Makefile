# tinytorch: build the executed documentation site and run the tests.
#
#   make html     build the site into _build/html (executes examples, runs doctests)
#   make test     run every test (unit, doctests, examples as scripts, site, browser)
#   make torch    install PyTorch's CPU build (the site's comparison with it)
#
# Both create .venv on first use and install the pinned dependencies
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

.PHONY: html doctest test serve bench clean lock help torch

help:
	@sed -n '3,5p' Makefile

# A file target: quick when nothing changed; re-installs when pyproject.toml or
# the lock file is newer than the last install.
$(STAMP): pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	    { echo "Python >= 3.11 is needed (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    -r requirements/lock.txt
	@touch $@

torch: $(STAMP)
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
html: $(STAMP) $(TORCH_STAMP)
	$(BIN)/sphinx-build -W --keep-going $(SPHINXOPTS) -b html -d $(BUILD)/doctrees . $(BUILD)/html
	@$(MAKE) --no-print-directory $(BUILD)/doctest/passed

$(BUILD)/doctest/passed: $(BUILD)/doctrees/environment.pickle
	@rm -f $@
	$(BIN)/sphinx-build -W --keep-going -q -b doctest -d $(BUILD)/doctrees . $(BUILD)/doctest
	@touch $@

doctest: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b doctest -d $(BUILD)/doctrees . $(BUILD)/doctest

test: $(STAMP)
	$(BIN)/python -m pytest

serve: html
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(BUILD)/html $(PORT)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(BUILD) docs/api/generated

# Re-pin: install the extras into a scratch venv and freeze exact versions.
lock:
	rm -rf $(BUILD)/lockvenv build
	$(PYTHON) -m venv $(BUILD)/lockvenv
	$(BUILD)/lockvenv/bin/python -m pip install --quiet --disable-pip-version-check ".[docs,test]"
	{ sed -n '1,2p' requirements/lock.txt; \
	  $(BUILD)/lockvenv/bin/python -m pip freeze --exclude tinytorch; } > requirements/lock.tmp
	mv requirements/lock.tmp requirements/lock.txt
	rm -rf $(BUILD)/lockvenv build
