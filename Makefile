# vanban: make setup && make demo; make test; make bench
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# ghostscript: PDF/A for `vanban pdf` / `run --pdf` when pikepdf cannot approve a file (pipeline/export/pdf.py)
# chromium: only tests/serve/test_browser.py (screenshots of `vanban serve`'s /document/<id>); vanban never runs it
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd poppler-utils fonts-liberation2 fonts-texgyre hunspell-vi ghostscript chromium
OUT ?= out/demo
DOC_PACKAGES := libreoffice-help-vi manpages-vi maint-guide-vi
# The Vietnamese dictionary text (definitions, examples) of underthesea 6.8.4, read by
# models.build: the wheel is fetched from PyPI with pip download (not installed) and only
# that file is unzipped; the build warns and goes on without it if the fetch fails.
# Both names are defined once, in models/build.py (DICTIONARY_WHEEL, DICTIONARY_FILE), read here.
DICTIONARY_WHEEL := $(shell sed -n 's/^DICTIONARY_WHEEL = "\(.*\)"$$/\1/p' models/build.py)
DICTIONARY_FILE := $(shell sed -n 's/^DICTIONARY_FILE = "\(.*\)"$$/\1/p' models/build.py)
MODEL_SOURCES := models/built/sources

.PHONY: setup system-deps venv models model-sources demo lint test eval bench clean

setup: system-deps venv models  ## install everything: apt packages, .venv, built models

system-deps:  ## apt-get the system packages that are missing
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "system packages: all present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "missing system packages:$$missing"; \
	  echo "run as root:  sudo apt-get install -y$$missing   then run make setup again"; exit 1; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

venv: $(BIN)/python  ## .venv with vanban installed editable
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'

models: venv model-sources  ## build the lexicons the restorer needs from installed packages
	$(BIN)/python -m models.build --sources $(MODEL_SOURCES)
	$(BIN)/python -m models.build_digits --sources $(MODEL_SOURCES)

# Debian packages of Vietnamese documentation read as running text by models.build.
# Fetched with apt-get download (no root needed, nothing installed: libreoffice-help-vi
# would pull in LibreOffice) and unpacked with dpkg-deb -x; the build warns and goes on
# without any that cannot be fetched.
model-sources: $(BIN)/python  ## fetch the Debian documentation packages and underthesea's dictionary text (models/built/sources)
	@mkdir -p $(MODEL_SOURCES); cd $(MODEL_SOURCES) || exit 1; \
	for p in $(DOC_PACKAGES); do \
	  [ -d "$$p" ] && continue; \
	  rm -rf "$$p.tmp" "$$p"_*.deb; \
	  if ! apt-get download -q "$$p" >/dev/null 2>"$$p.err"; then \
	    if [ "$$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && apt-get download -q "$$p" >/dev/null 2>"$$p.err"; then :; \
	    else echo "WARNING: apt-get download $$p failed ($$(tail -n1 "$$p.err")): the model is built without it"; rm -f "$$p.err"; continue; fi; \
	  fi; \
	  deb=$$(ls "$$p"_*.deb | head -n1); \
	  if dpkg-deb -x "$$deb" "$$p.tmp" && dpkg-deb -f "$$deb" Version > "$$p.tmp/VERSION"; then \
	    mv "$$p.tmp" "$$p"; echo "model source: $$p $$(cat "$$p/VERSION")"; \
	  else echo "WARNING: dpkg-deb -x $$deb failed: the model is built without $$p"; rm -rf "$$p.tmp"; fi; \
	  rm -f "$$deb" "$$p.err"; \
	done
	@cd $(MODEL_SOURCES) || exit 1; dest=$(subst ==,-,$(DICTIONARY_WHEEL)); \
	if [ ! -f "$$dest/$(DICTIONARY_FILE)" ]; then \
	  rm -rf wheel.tmp; \
	  if $(CURDIR)/$(BIN)/pip download -q --no-deps --only-binary :all: "$(DICTIONARY_WHEEL)" -d wheel.tmp >/dev/null 2>wheel.err \
	     && $(CURDIR)/$(BIN)/python -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])" \
	          wheel.tmp/*.whl "$(DICTIONARY_FILE)" "$$dest.tmp" && mv "$$dest.tmp" "$$dest"; then \
	    echo "model source: $(DICTIONARY_WHEEL) $(DICTIONARY_FILE)"; \
	  else echo "WARNING: pip download $(DICTIONARY_WHEEL) failed ($$(tail -n1 wheel.err)): the model is built without its dictionary text"; \
	    rm -rf "$$dest.tmp"; fi; \
	  rm -rf wheel.tmp wheel.err; \
	fi

demo:  ## run the main job on the bundled corpus (generates scanned PDFs first)
	$(BIN)/python -m corpus.generate --out corpus/generated
	$(BIN)/vanban run corpus/seeds corpus/generated/scans --out $(OUT)

# What ruff checks; mypy checks pipeline/ (both configured in pyproject.toml).
LINT_PATHS := pipeline corpus models tests

lint:  ## ruff (pyflakes, bugbear, syntax) and mypy, as configured in pyproject.toml
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy

# ruff and mypy first, silent when clean (so pytest's summary stays the last line), then pytest
test:
	@$(BIN)/ruff check --quiet $(LINT_PATHS)
	@out=$$($(BIN)/mypy 2>&1) || { echo "$$out"; exit 1; }
	$(BIN)/python -m pytest -q

eval:  ## measure OCR, restoration and extraction on the generated corpus (out/eval/eval.json); ARCHIVE=DIR adds an archive LM
	$(BIN)/vanban eval --out out/eval $(if $(ARCHIVE),--archive $(ARCHIVE))

bench:
	$(BIN)/python -m corpus.bench

clean:
	rm -rf out corpus/generated models/built .pytest_cache .mypy_cache .ruff_cache
