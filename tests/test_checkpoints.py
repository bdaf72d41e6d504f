"""Checkpoints against outside faults, through the real command line: a damaged newest checkpoint, a manifest
pointing at a file that is not safetensors, two trainings on one folder, and a disk that fills up mid-save."""
import hashlib
import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from sdsclip.eval.fixtures import write_winoground_fixture

from training_log import wait_for_step

BIN = Path(sys.executable).parent
SDSCLIP = str(BIN / "sdsclip")
TINY = ["--preset", "tiny", "--save-every", "4"]


def sdsclip(*args, **kw):
    return subprocess.run([SDSCLIP, *args], capture_output=True, text=True, timeout=600, **kw)


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir())}


@pytest.mark.slow  # nbs/08 resumes past a damaged checkpoint in-process
def test_resume_falls_back_past_a_truncated_checkpoint(tmp_path):
    run = tmp_path / "run"
    assert sdsclip("train", *TINY, "--out", str(run)).returncode == 0
    newest = run / "checkpoints/step-00000016.safetensors"
    uninterrupted = {k: v.clone() for k, v in load_file(newest).items()}  # a copy: load_file maps the file
    with open(newest, "r+b") as f:
        f.truncate(1000)

    r = sdsclip("train", *TINY, "--out", str(run), "--resume")
    assert r.returncode == 0, r.stderr
    assert "step-00000016.safetensors (1,000 bytes, the manifest says" in r.stderr
    assert "Resuming from the newest intact one, step 12" in r.stderr
    resumed = load_file(newest)  # steps 13-16 redone from step 12's checkpoint
    assert resumed.keys() == uninterrupted.keys() and all(torch.equal(resumed[k], uninterrupted[k]) for k in resumed)
    assert (run / "checkpoints/step-00000016.safetensors.damaged").stat().st_size == 1000  # kept, not deleted


@pytest.mark.slow  # nbs/05 checks both halves in-process: a hand-edited name checked by its header, a damaged newest
# checkpoint refused naming the intact one
def test_manifest_pointing_at_a_non_safetensors_file_gives_a_one_line_error(tmp_path):
    run = tmp_path / "run"
    assert sdsclip("train", *TINY, "--max-steps", "4", "--out", str(run)).returncode == 0
    ckpt = run / "checkpoints"
    (ckpt / "evil.safetensors").write_bytes(b"\x80\x04\x95" + b"\x00" * 64)  # a pickle's opening bytes
    info = json.loads((ckpt / "latest.json").read_text())
    (ckpt / "latest.json").write_text(json.dumps(info | {"weights": "evil.safetensors"}))

    for args in (["eval", "--model", "sdsclip-tiny", "--pretrained", "none", "--checkpoint", str(run),
                  "--tasks", "winoground", "--winoground", str(write_winoground_fixture(tmp_path / "wg")), "--out", str(tmp_path / "ev")],
                 ["export", str(run), "--out", str(tmp_path / "model.safetensors")]):
        r = sdsclip(*args)
        assert r.returncode == 2, (args[0], r.stderr)
        assert "Traceback" not in r.stderr
        first = r.stderr.splitlines()[0]
        assert "evil.safetensors is damaged (not a readable safetensors file)" in first, first
        assert "step-00000004.safetensors (step 4)" in first, first  # the fix: the intact one to use instead
    assert not (tmp_path / "model.safetensors").exists()


@pytest.mark.slow  # nbs/07 checks the lock in-process
def test_second_training_on_the_same_folder_refuses_naming_the_first(tmp_path):
    run = tmp_path / "run"
    first = subprocess.Popen([SDSCLIP, "train", "--preset", "tiny", "--epochs", "500", "--save-every", "1000",
                              "--out", str(run)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_step(first, run, 1)
        second = sdsclip("train", "--preset", "tiny", "--out", str(run), "--resume")
        assert second.returncode == 2
        assert f"in use by another sdsclip train (pid {first.pid} on " in second.stderr, second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=120)
    assert first.returncode == 130
    assert not (run / "train.lock").exists()


@pytest.mark.slow  # nbs/05 fails the save in-process the same way
def test_full_disk_during_a_save_keeps_the_previous_checkpoint(tmp_path):
    run = tmp_path / "run"
    assert sdsclip("train", *TINY, "--max-steps", "4", "--out", str(run)).returncode == 0
    before = digests(run / "checkpoints")
    limit = min(p.stat().st_size for p in (run / "checkpoints").glob("*.safetensors")) // 2

    # Resume to step 40, saving only there; once it runs, every file of the process is capped below a checkpoint's
    # size, as a full disk would stop it (Python ignores SIGXFSZ, so the write fails with EFBIG).
    longer = ["--epochs", "5", "--max-steps", "40", "--save-every", "40"]
    proc = subprocess.Popen([SDSCLIP, "train", "--preset", "tiny", *longer, "--out", str(run), "--resume"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_step(proc, run, 5)
    resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (limit, limit))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 5, err
    assert (run / "log.jsonl").stat().st_size < limit  # the log kept being written: only the save hit the cap
    assert "could not write checkpoint step 40" in err and "(step 4) and latest.json are intact" in err
    assert "Traceback" not in err
    assert digests(run / "checkpoints") == before  # nothing new, nothing changed, no temporary file left

    r = sdsclip("train", "--preset", "tiny", *longer, "--out", str(run), "--resume")  # space is back: it continues
    assert r.returncode == 0, r.stderr
    assert json.loads((run / "checkpoints/latest.json").read_text())["step"] == 40
