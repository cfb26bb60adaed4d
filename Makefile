# vanban: make setup && make demo; make test; make bench
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd poppler-utils fonts-liberation2 hunspell-vi
OUT ?= out/demo

.PHONY: setup system-deps venv models demo test eval bench clean

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

models: venv  ## build the lexicons the restorer needs from installed packages
	$(BIN)/python -m models.build

demo:  ## run the main job on the bundled corpus (generates scanned PDFs first)
	$(BIN)/python -m corpus.generate --out corpus/generated
	$(BIN)/vanban run corpus/seeds corpus/generated/scans --out $(OUT)

test:
	$(BIN)/python -m pytest -q

eval:  ## measure OCR, restoration and extraction on the generated corpus (out/eval/eval.json)
	$(BIN)/vanban eval --out out/eval

bench:
	$(BIN)/python -m pipeline.bench

clean:
	rm -rf out corpus/generated models/built .pytest_cache
