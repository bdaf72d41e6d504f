"""Miniworld: the shipped weights give the recorded baseline, and the reproduction runs end to end from the command line."""
import json, os, subprocess, sys
from pathlib import Path

import pytest

from sdsclip.miniworld import miniworld_home
from sdsclip.miniworld_reproduce import baseline_numbers

HOME = miniworld_home()


def test_shipped_weights_reproduce_recorded_baseline(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSCLIP_MINIWORLD", str(tmp_path / "worlds"))
    recorded = json.loads((HOME / "baseline.json").read_text())["scores"]
    now = baseline_numbers()
    assert set(now) == set(recorded)
    for model, scores in recorded.items():
        assert set(now[model]) == set(scores)
        for metric, value in scores.items():
            if value != value: assert now[model][metric] != now[model][metric], metric  # NaN stays NaN
            else: assert now[model][metric] == pytest.approx(value, abs=1e-6), (model, metric)


def test_reproduce_cli_reduced_scale(tmp_path):
    env = dict(os.environ, SDSCLIP_MINIWORLD=str(tmp_path / "worlds"), TQDM_DISABLE="1")
    cmd = [str(Path(sys.executable).parent / "sdsclip"), "miniworld", "reproduce", "--scale", "ci", "--seeds", "1", "--out", "figs"]
    r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    out = tmp_path / "figs/miniworld"
    for name in ("table1.md", "table2.md", "zeroshot.md", "fig4.png", "findings.md", "results.json"):
        assert (out / name).is_file(), name
    rec = json.loads((out / "results.json").read_text())
    assert rec["seeds"] == [0] and rec["config"]["scale"] == "ci"
    assert "not a result" in (out / "table1.md").read_text()
    assert "miniworld reproduction" in r.stdout
