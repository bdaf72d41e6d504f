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



@pytest.mark.slow  # the world is generated on first use (about 20 s)
def test_miniworld_zero_shot_through_eval(tmp_path):
    "The shipped student's zero-shot accuracy on the world's shape and colour classes, scored by `sdsclip eval` itself."
    from sdsclip.miniworld.splits import WorldConfig, ensure_world
    world = ensure_world(WorldConfig())
    r = subprocess.run([SDSCLIP, "eval", "--model", "sdsclip-mini", "--pretrained", str(HOME / "clip.safetensors"),
                        "--tasks", "zeroshot", "--zeroshot-root", str(world / "zeroshot"), "--zeroshot-datasets", "shape,colour",
                        "--device", "cpu", "--out", str(tmp_path / "eval")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    z = json.loads((tmp_path / "eval/zeroshot.json").read_text())
    assert (z["dataset"], z["model"]) == ("shape,colour", "sdsclip-mini")
    from sdsclip.eval.core import wilson_interval
    for d in ("shape", "colour"):  # above chance: the lower end of the 95% interval over the test images
        res = z["result"][d]
        assert wilson_interval(round(res["top1"] * res["n"]), res["n"])[0] > 1 / res["classes"], (d, res)
