# mmpose-multikd: one entry point per job. Every target installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install install-oldest test test-oldest check-docs lint format demo clean

# The oldest supported stack (requirements/constraints/oldest.txt: torch 2.1,
# mmcv 2.1.0, MMEngine 0.10.3, MMPose 1.3.1) in its own environment.
OLDEST_VENV ?= .venv-oldest
OLDEST_CONSTRAINTS := requirements/constraints/oldest.txt

install:  ## build .venv (first time ~30 min: mmcv compiles; then minutes)
	VENV=$(VENV) bash tools/install_env.sh

install-oldest:  ## build .venv-oldest, the oldest supported stack
	VENV=$(OLDEST_VENV) CONSTRAINTS=$(OLDEST_CONSTRAINTS) bash tools/install_env.sh

test: install  ## the whole test suite (CPU)
	$(PY) -m pytest tests multikd_lab/tests $(PYTEST_ARGS)

test-oldest: install-oldest  ## the fast suite (not slow) on the oldest stack
	$(OLDEST_VENV)/bin/python -m pytest tests multikd_lab/tests -m "not slow" $(PYTEST_ARGS)

check-docs: install  ## every path, make target and tool flag the docs quote exists
	$(PY) -m pytest tests/test_docs multikd_lab/tests/test_docs $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check mmpose_multikd multikd_lab configs tools tests setup.py
	$(VENV)/bin/ruff format --check mmpose_multikd multikd_lab configs tools tests setup.py

format: install
	$(VENV)/bin/ruff check --fix mmpose_multikd multikd_lab configs tools tests setup.py
	$(VENV)/bin/ruff format mmpose_multikd multikd_lab configs tools tests setup.py

demo: install  ## the main job
	$(PY) -m multikd_lab.tools.demo

clean:
	rm -rf work_dirs .pytest_cache
