"""Every script in benchmarks/ runs as its RESULTS.md states it, on tiny models or a few miniworld steps, and writes its record.

The numbers of these small runs mean nothing; what is checked is that each script still runs against the package and that
its record holds what RESULTS.md reads from it. All but the coverage check are slow (each starts a Python and loads torch; the miniworld scripts and the GPU
check's tiny sequence take minutes)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script: str, *args: str, cwd: Path) -> str:
    r = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], cwd=cwd, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, f"{script} failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r.stdout


def test_every_script_is_covered():
    scripts = {p.name for p in BENCHMARKS.glob("*.py")} - {"common.py"}
    covered = {"diffusion_score.py", "winoground_cost.py", "gpu_check.py", "miniworld_steps.py", "parallel_runs.py", "reproduction_levers.py"}
    assert scripts == covered, f"benchmarks without a smoke test here: {sorted(scripts - covered)}"
    results = (BENCHMARKS / "RESULTS.md").read_text()
    assert all(f"benchmarks/{s}" in results for s in scripts), "each script states its command in benchmarks/RESULTS.md"


@pytest.mark.slow  # each script starts a Python and loads torch: make test's time is kept for the package
def test_diffusion_score_batched_equals_naive(tmp_path):
    run("diffusion_score.py", "--arch", "tiny", "--items", "1", "--n-samples", "2", "--out", str(tmp_path / "d.json"), cwd=tmp_path)
    d = json.loads((tmp_path / "d.json").read_text())
    assert d["max_abs_score_difference"] < 1e-4 and d["same_argmax"], d  # the batched scorer is the naive loop, faster
    assert d["batched_seconds"] > 0 and d["naive_seconds"] > 0


@pytest.mark.slow
def test_winoground_cost(tmp_path):
    run("winoground_cost.py", "--arch", "tiny", "--items", "1", "--n-samples", "2", "--repeats", "1", "--out", str(tmp_path / "w.json"), cwd=tmp_path)
    d = json.loads((tmp_path / "w.json").read_text())
    assert d["unet_forwards_per_item"] == 2 * 2 * 2  # 2 images × 2 captions × N = 2
    assert abs(d["ratio"] - d["diffusion_seconds_per_item"] / d["clip_seconds_per_item"]) < 1e-6 * d["ratio"]


@pytest.mark.slow
def test_gpu_check_sequence_on_tiny(tmp_path):
    out = run("gpu_check.py", "--preset", "tiny", "--device", "cpu", "--out", str(tmp_path / "g"), cwd=tmp_path)
    rec = json.loads((tmp_path / "g" / "record.json").read_text())
    assert [k for k in ("info", "bench", "train", "eval", "fig3") if k in rec] == ["info", "bench", "train", "eval", "fig3"]
    assert rec["train"]["steps"] == 10 and rec["fig3"]["cost/ratio"] > 0
    assert "targets" not in out  # tiny shapes are not held to the paper architectures' targets


@pytest.mark.slow
def test_miniworld_steps(tmp_path):
    run("miniworld_steps.py", "--conditions", "only-ft", "--steps", "2", "--every", "1", "--out", str(tmp_path / "m.json"), cwd=tmp_path)
    assert json.loads((tmp_path / "m.json").read_text())


@pytest.mark.slow
def test_parallel_runs(tmp_path):
    run("parallel_runs.py", "--condition", "only-ft", "--steps", "2", "--out", str(tmp_path / "p.json"), cwd=tmp_path)
    assert json.loads((tmp_path / "p.json").read_text())["speed_up"] > 0


@pytest.mark.slow
def test_reproduction_levers(tmp_path):
    run("reproduction_levers.py", "--world", "ci", "--out", str(tmp_path / "r.json"), cwd=tmp_path)
    r = json.loads((tmp_path / "r.json").read_text())
    assert r["world"] == "ci" and r["world_images"] > 0
