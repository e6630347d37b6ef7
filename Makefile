# mmpose-multikd: one entry point per job. Every target installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install test lint format demo clean

install:  ## build .venv (first time ~30 min: mmcv compiles; then seconds)
	VENV=$(VENV) bash tools/install_env.sh

test: install  ## the whole test suite (CPU)
	$(PY) -m pytest tests $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check mmpose_multikd configs tools tests setup.py
	$(VENV)/bin/ruff format --check mmpose_multikd configs tools tests setup.py

format: install
	$(VENV)/bin/ruff check --fix mmpose_multikd configs tools tests setup.py
	$(VENV)/bin/ruff format mmpose_multikd configs tools tests setup.py

demo: install  ## the main job
	$(PY) tools/demo.py

clean:
	rm -rf work_dirs .pytest_cache
