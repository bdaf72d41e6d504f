"""The `sdsclip` console script, run for real as a subprocess."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import sdsclip

SDSCLIP = str(Path(sys.executable).parent / "sdsclip")


def run(*args, **kw):
    return subprocess.run([SDSCLIP, *args], capture_output=True, text=True, timeout=300, **kw)


def test_version():
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"sdsclip {sdsclip.__version__}"


def test_info_json_lists_presets_and_their_needs():
    r = run("info", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert set(d["presets"]) == {"tiny", "miniworld", "paper"}
    assert d["versions"]["sdsclip"] == sdsclip.__version__
    assert all(n["ok"] for n in d["presets"]["tiny"]["needs"])
    paper = d["presets"]["paper"]
    assert (paper["clip"], paper["pretrained"], paper["teacher"]) == ("ViT-B-16-quickgelu", "openai", "CompVis/stable-diffusion-v1-4")
    assert (paper["batch_size"], paper["lr"], paper["lam"], paper["epochs"]) == (32, 5e-5, 1e-3, 5)


@pytest.mark.slow  # the JSON form below goes through the same info()
def test_info_text():
    r = run("info")
    assert r.returncode == 0, r.stderr
    assert "presets:" in r.stdout and "paper:" in r.stdout


def test_smoke_writes_its_record(tmp_path):
    out = tmp_path / "nested" / "smoke.json"
    r = run("smoke", "--seed", "3", "--sds-mode", "stopgrad", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "not a result" in r.stdout
    rec = json.loads(out.read_text())
    assert (rec["seed"], rec["sds_mode"], rec["preset"]) == (3, "stopgrad", "tiny")
    assert rec["loss_after"] < rec["before"]["loss"]
    assert "not a result" in rec["note"]


@pytest.mark.slow  # nbs/40 runs smoke in-process; this checks two processes agree
def test_smoke_is_reproducible(tmp_path):
    recs = []
    for i in range(2):
        assert run("smoke", "--seed", "5", "--out", str(tmp_path / f"{i}.json")).returncode == 0
        recs.append(json.loads((tmp_path / f"{i}.json").read_text()))
    assert recs[0]["before"] == recs[1]["before"] and recs[0]["loss_after"] == recs[1]["loss_after"]


def test_bad_choice_names_value_and_choices():
    r = run("smoke", "--sds-mode", "bogus")
    assert r.returncode == 2
    assert "'bogus'" in r.stderr and "backprop" in r.stderr and "stopgrad" in r.stderr


def test_no_command_prints_usage():
    r = run()
    assert r.returncode == 2
    assert "usage: sdsclip" in r.stderr


def test_reproduce_help_lists_every_artefact():
    from sdsclip.reproduce.artefacts import ARTEFACTS
    out = subprocess.run([SDSCLIP, "reproduce", "--help"], capture_output=True, text=True, check=True).stdout
    assert ",".join(ARTEFACTS) in "".join(out.split())


def interrupted(args, cwd, presses, timeout=120):
    "Run the installed command, press Ctrl-C at each of `presses` (seconds after start); (exit status, stderr)."
    import signal, time
    restore = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell started in the background ignores SIGINT
    p = subprocess.Popen([SDSCLIP, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=restore)
    t0 = time.monotonic()
    for at in presses:
        time.sleep(max(0.0, at - (time.monotonic() - t0)))
        if p.poll() is None: p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, err


@pytest.mark.parametrize("presses", [(0.05,), (0.4,), (1.2,), (0.6, 0.65), (6.0, 6.05)],
                         ids=["at-start", "importing", "importing-later", "twice-importing", "twice-training"])
def test_an_interrupt_at_any_moment_is_one_line(tmp_path, presses):
    "Ctrl-C while torch and the models load, or twice in quick succession: exit 130 and one line, never a traceback."
    long_run = ["--max-steps", "100000", "--epochs", "100000"]  # still training at the last press, on any machine
    code, err = interrupted(["train", "--preset", "tiny", *long_run, "--out", str(tmp_path / "run")], tmp_path, presses)
    assert code == 130 and "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    said = [l for l in err.replace("\r", "\n").splitlines() if l.startswith(("sdsclip: interrupted", "sdsclip train: stopped"))]
    assert len(said) == 1, err[-3000:]
