"""Miniworld from the command line: the baseline check names what moved."""
import json, os, shutil, subprocess, sys
from pathlib import Path

import pytest

from sdsclip.miniworld.splits import miniworld_home

HOME = miniworld_home()
SDSCLIP = str(Path(sys.executable).parent / "sdsclip")


def test_baseline_check_names_what_moved(tmp_path):
    """`sdsclip miniworld baseline --check` on a copy of the weights whose recording has one score moved far: exit 1,
    naming the group (the passing case, and machine noise, are checked in nbs/23_miniworld_baseline.ipynb)."""
    weights = tmp_path / "weights"
    shutil.copytree(HOME, weights)
    b = json.loads((weights / "baseline.json").read_text())
    b["tasks"]["clip"]["vg_relation"]["scores"][7][0][1] += 0.01
    (weights / "baseline.json").write_text(json.dumps(b))
    env = dict(os.environ, SDSCLIP_MINIWORLD=str(tmp_path / "worlds"), TQDM_DISABLE="1")
    r = subprocess.run([SDSCLIP, "miniworld", "baseline", "--check", "--weights", str(weights)], env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stdout + r.stderr[-2000:]
    assert "clip/vg_relation: group 7" in r.stdout and "moved by 1.00e-02" in r.stdout

