# Two commands on a fresh machine: `make reproduce` and `make test`. Each creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sdsclip-installed

.PHONY: reproduce test test-slow lab export clean-nbs check-sync nbtest pytest

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (sdsclip)" >/dev/null
	touch $(STAMP)

# The main job: every experiment notebook on the miniworld preset (papermill), from the shipped weights; resumes.
reproduce: $(STAMP)
	$(BIN)/sdsclip reproduce --preset miniworld

test: check-sync nbtest pytest

# nbdev-clean and nbdev-export must change nothing: the notebooks are clean and sdsclip/ matches them.
check-sync: $(STAMP)
	$(BIN)/nbdev-clean
	$(BIN)/nbdev-export
	@changes="$$(git status --porcelain -- nbs sdsclip)"; \
	if [ -n "$$changes" ]; then \
	  echo "nbdev-clean/nbdev-export changed these files; run them and commit the result:"; echo "$$changes"; exit 1; \
	fi

nbtest: $(STAMP)
	$(BIN)/nbdev-test --n-workers 2 --timing

pytest: $(STAMP)
	$(BIN)/python -m pytest tests

# Everything, the cells marked `#| slow` and the pytest tests marked `slow` included.
test-slow: check-sync $(STAMP)
	$(BIN)/nbdev-test --n-workers 2 --timing --flags slow
	$(BIN)/python -m pytest tests -m "slow or not slow"

# JupyterLab on nbs/, with this environment's Python as the kernel (ahead of any user-level kernel of that name).
lab: $(STAMP)
	JUPYTER_PREFER_ENV_PATH=1 $(BIN)/jupyter lab --notebook-dir=nbs
