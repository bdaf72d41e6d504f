"""A built wheel carries the package, its model configs and the console script, and works outside the checkout."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sdsclip.reproduce.artefacts import ARTEFACTS

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installs_and_builds_tiny_models(tmp_path):
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(ROOT)],
                   check=True, timeout=300, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("sdsclip-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for f in ["sdsclip/models.py", "sdsclip/objective.py", "sdsclip/cli/commands.py",
              "sdsclip/model_configs/sdsclip-tiny.json", "sdsclip/model_configs/sdsclip-tiny-rn.json",
              "sdsclip/train.py", "sdsclip/eval/winoground.py", "sdsclip/eval/aro.py", "sdsclip/eval/zeroshot.py",
              "sdsclip/eval/sugarcrepe.py",
              "sdsclip_data/reference/aro_vgr_excluded_relations.json",
              "sdsclip_data/reference/clip_benchmark_en_templates.json",
              "sdsclip/model_configs/sdsclip-mini.json", "sdsclip/miniworld/world.py", "sdsclip/miniworld/splits.py", "sdsclip_data/miniworld/clip.safetensors",
              "sdsclip_data/miniworld/baseline.json", "sdsclip_data/miniworld/students/clip-150.safetensors", "sdsclip_data/miniworld/teacher/model_index.json",
              "sdsclip_data/miniworld/teacher/unet/diffusion_pytorch_model.safetensors",
              "sdsclip_data/miniworld/teacher/tokenizer/tokenizer.json", "sdsclip_data/paper_results.csv",
              "sdsclip/reproduce/runner.py", "sdsclip/reproduce/artefacts.py", *[f"sdsclip_experiments/{a}.ipynb" for a in ARTEFACTS]]:
        assert f in names, f
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "the licence ships in the wheel"
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "sdsclip = sdsclip.cli:console" in entry_points

    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True, timeout=300)
    code = ("import sdsclip, sdsclip.models as m; from sdsclip.eval.aro import excluded_relations; "
            "assert len(excluded_relations()) == 157; print(sdsclip.__file__); "
            "from sdsclip.reproduce.artefacts import experiments_dir; from sdsclip.reproduce.tables import paper_results; "
            f"assert len(list(experiments_dir().glob('*.ipynb'))) == {len(ARTEFACTS)} and len(paper_results()) > 100; "
            "clip, pre, tok, teacher = m.build_tiny(); print(teacher.latent_shape)")
    env = {**os.environ, "PYTHONPATH": str(site)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.strip().splitlines()[-2:]
    assert first.startswith(str(site))
    assert second == "(4, 8, 8)"


@pytest.mark.slow  # a fresh virtualenv with every dependency: a few minutes and about 6 GB
def test_the_wheel_runs_the_main_job_in_a_fresh_virtualenv(tmp_path):
    "pip install of the built wheel alone (no dev extra) into a new venv runs `reproduce --preset tiny --only table1`."
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"),
                    str(ROOT)], check=True, timeout=300, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("sdsclip-*.whl"))
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-c", str(ROOT / "requirements.lock"), str(wheel)], check=True, timeout=1800)
    work = tmp_path / "work"; work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "JUPYTER_PATH")}
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    r = subprocess.run([str(venv / "bin/sdsclip"), "reproduce", "--preset", "tiny", "--only", "table1"],
                       capture_output=True, text=True, timeout=1800, cwd=work, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert (work / "runs/check/tiny/table1.md").is_file() and "ok" in r.stdout  # the tiny check stays out of the tracked figures/
