# Two commands on a fresh machine: `make reproduce` and `make test`. Each creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sdsclip-installed

.PHONY: install reproduce rehearse gpu-check test test-slow lab check-sync lint nbtest pytest lock

# The versions the figures were made with (requirements.lock; `make lock` rewrites it from .venv), installed as they are,
# without resolving again; `pip check` then confirms they meet pyproject.toml's requirements.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (sdsclip)" >/dev/null
	touch $(STAMP)

# Only the environment: .venv with the locked versions and sdsclip installed editable.
install: $(STAMP)

# Pin what .venv holds now (CUDA-only packages marked so that other platforms skip them).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --all --exclude-editable --exclude pip | sed -E 's/^((nvidia|cuda|triton)[^=]*==.*)$$/\1 ; sys_platform == "linux" and platform_machine == "x86_64"/' > requirements.lock

# The main job: every experiment notebook on the miniworld preset (papermill), from the shipped weights; resumes.
reproduce: $(STAMP)
	$(BIN)/sdsclip reproduce --preset miniworld

# A GPU machine checked end to end in about 15 minutes before hours are spent on it (docs/gpu.md): info, the paper's
# step at batch 32 bf16, 50 training steps on 400 COCO pairs, Winoground of that run, Fig. 3; each says whether it meets.
gpu-check: $(STAMP)
	$(BIN)/python benchmarks/gpu_check.py

# The paper preset rehearsed on stand-ins (its architectures with random weights, synthetic data at real sizes), offline;
# the stand-ins go to REHEARSAL (out of git), the record to figures/rehearsal/. Not part of `make test`.
REHEARSAL ?= runs/rehearsal
rehearse: $(STAMP)
	$(BIN)/sdsclip reproduce --preset paper --rehearsal $(REHEARSAL)

test: check-sync lint nbtest pytest

# ruff on the package, tests, benchmarks and studies (rules in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check sdsclip tests benchmarks studies

# nbdev-clean and nbdev-export must change nothing: the notebooks are clean and sdsclip/ matches them
# (checked on the files as they are, committed or not).
SYNC_FILES = find nbs sdsclip -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*' | sort | xargs sha1sum
check-sync: $(STAMP)
	@$(SYNC_FILES) > $(VENV)/.sync-before
	$(BIN)/nbdev-clean
	$(BIN)/nbdev-export
	@$(SYNC_FILES) > $(VENV)/.sync-after
	@if ! cmp -s $(VENV)/.sync-before $(VENV)/.sync-after; then \
	  echo "nbdev-clean/nbdev-export changed these files; run them and commit the result:"; \
	  diff $(VENV)/.sync-before $(VENV)/.sync-after | grep '^[<>]' | awk '{print $$3}' | sort -u; exit 1; \
	fi

# Every notebook but two experiment notebooks that train every condition twice on the tiny preset (seeds, diagnostics:
# about 95 s of the two workers); `make test-slow` runs them with the rest.
NB_IN_SLOW_ONLY = ^([_.]|seeds\.ipynb$$|diagnostics\.ipynb$$)
nbtest: $(STAMP)
	$(BIN)/nbdev-test --n-workers 2 --timing --skip-file-re '$(NB_IN_SLOW_ONLY)'

pytest: $(STAMP)
	$(BIN)/python -m pytest tests

# Everything, the cells marked `#| slow` and the pytest tests marked `slow` included.
test-slow: check-sync $(STAMP)
	$(BIN)/nbdev-test --n-workers 2 --timing --flags slow
	$(BIN)/python -m pytest tests -m "slow or not slow"

# JupyterLab on the repository (nbs/, figures/ and the executed notebooks), with this environment's Python as the kernel
# (ahead of any user-level kernel of that name); as root too, the usual case in a container.
lab: $(STAMP)
	JUPYTER_PREFER_ENV_PATH=1 $(BIN)/jupyter lab --notebook-dir=. $$( [ "$$(id -u)" = 0 ] && echo --allow-root )
