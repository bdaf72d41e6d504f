"""`sdsclip train` as a real process: the tiny preset end to end, SIGKILL + resume, Ctrl-C, missing requirements,
and two processes under torchrun against one."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from training_log import log_steps, wait_for_step

BIN = Path(sys.executable).parent
SDSCLIP = str(BIN / "sdsclip")


def train(*args, **kw):
    return subprocess.run([SDSCLIP, "train", *args], capture_output=True, text=True, timeout=600, **kw)


def final_weights(run):
    latest = json.loads((Path(run) / "checkpoints/latest.json").read_text())
    ckpt = Path(run) / "checkpoints"
    return latest["step"], load_file(ckpt / latest["weights"]), load_file(ckpt / latest["state"])


@pytest.mark.slow  # nbs/08 and nbs/40 train the tiny preset in-process; tests/test_readme.py through the API
def test_tiny_preset_end_to_end(tmp_path):
    r = train("--preset", "tiny", "--out", str(tmp_path / "run"))
    assert r.returncode == 0, r.stderr
    step, weights, _ = final_weights(tmp_path / "run")
    cfg = json.loads((tmp_path / "run/config.json").read_text())
    assert step == cfg["total_steps"] == 16 and cfg["seed"] == 0
    assert log_steps(tmp_path / "run") == list(range(1, 17))
    assert any(k.startswith("mapper.") for k in weights) and any(k.startswith("clip.") for k in weights)


SIGKILL_ARGS = ["--preset", "tiny", "--epochs", "50", "--max-steps", "40", "--save-every", "3"]


def test_sigkill_then_resume_is_bit_identical(tmp_path):
    ref = train(*SIGKILL_ARGS, "--out", str(tmp_path / "ref"))
    assert ref.returncode == 0, ref.stderr

    run = tmp_path / "killed"
    proc = subprocess.Popen([SDSCLIP, "train", *SIGKILL_ARGS, "--out", str(run)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed_at = wait_for_step(proc, run, 10)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    saved_step, _, _ = final_weights(run)
    assert saved_step < 40, "the run finished before it was killed"
    assert saved_step % 8 != 0 or killed_at % 8 != 0  # killed mid-epoch

    resumed = train(*SIGKILL_ARGS, "--out", str(run), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    step_a, wa, sa = final_weights(tmp_path / "ref")
    step_b, wb, sb = final_weights(run)
    assert step_a == step_b == 40
    assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    assert log_steps(run) == list(range(1, 41))  # steps after the checkpoint were redone, not duplicated


def test_ctrl_c_saves_and_exits_cleanly(tmp_path):
    run = tmp_path / "run"
    proc = subprocess.Popen([SDSCLIP, "train", "--preset", "tiny", "--epochs", "500", "--save-every", "1000",
                             "--out", str(run)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_step(proc, run, 5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"Continue with: sdsclip train --preset tiny --epochs 500 --save-every 1000 --out {run} --resume" in err
    step, _, _ = final_weights(run)
    assert step == log_steps(run)[-1] >= 5


@pytest.mark.slow  # nbs/17 checks the paper preset's needs in-process; test_reproduce.py through `reproduce`
def test_paper_preset_says_what_it_needs(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU; the message is about a machine without one")
    env = {**os.environ, "SDSCLIP_COCO": str(tmp_path / "no-coco"), "HF_HUB_OFFLINE": "1"}
    r = train("--preset", "paper", "--out", str(tmp_path / "run"), env=env)
    assert r.returncode == 2
    for needed in ("no CUDA GPU", "CompVis/stable-diffusion-v1-4", "no-coco", "ViT-B-16-quickgelu/openai"):
        assert needed in r.stderr, needed
    assert not (tmp_path / "run").exists()


def test_two_processes_match_one(tmp_path):
    args = ["train", "--preset", "tiny", "--max-steps", "2", "--batch-size", "8"]
    one = subprocess.run([SDSCLIP, *args, "--out", str(tmp_path / "one")], capture_output=True, text=True, timeout=600)
    assert one.returncode == 0, one.stderr
    two = subprocess.run([str(BIN / "torchrun"), "--standalone", "--nproc-per-node", "2", SDSCLIP, *args,
                          "--out", str(tmp_path / "two")], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert two.returncode == 0, two.stderr[-3000:]
    rows = [[json.loads(l) for l in (tmp_path / d / "log.jsonl").read_text().splitlines()] for d in ("one", "two")]
    for a, b in zip(*rows):
        for k in ("loss", "contrastive_loss", "sds_loss"):
            assert abs(a[k] - b[k]) < 1e-5, (k, a[k], b[k])
    assert json.loads((tmp_path / "two/config.json").read_text())["world_size"] == 2
    _, wa, _ = final_weights(tmp_path / "one")
    _, wb, _ = final_weights(tmp_path / "two")
    for k in wa:
        assert torch.allclose(wa[k], wb[k], atol=1e-6), k
