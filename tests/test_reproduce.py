"""`sdsclip reproduce`: every experiment notebook runs through papermill on the tiny preset; injected parameters reach
the notebook; an interrupted reproduction resumes without redoing what finished."""
import json, os, signal, subprocess, sys, time
from pathlib import Path

import pandas as pd
import pytest

from sdsclip.presets import get_preset
from sdsclip.reproduce.artefacts import ARTEFACTS, backbones_for

SDSCLIP = str(Path(sys.executable).parent / "sdsclip")


def env(tmp_path):
    return dict(os.environ, SDSCLIP_MINIWORLD=str(tmp_path / "worlds"), TQDM_DISABLE="1")


def reproduce(tmp_path, *args, timeout=900):
    cmd = [SDSCLIP, "reproduce", "--preset", "tiny", "--out", "figs", "--runs", "runs", *args]
    return subprocess.run(cmd, cwd=tmp_path, env=env(tmp_path), capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow  # nbdev-test runs every notebook on these defaults; nbs/38 runs two through papermill
def test_every_notebook_runs_on_tiny_through_papermill(tmp_path):
    r = reproduce(tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    jobs = [(a, b.label) for a in ARTEFACTS for b in backbones_for(ARTEFACTS[a], get_preset("tiny"))]
    for a, b in jobs:
        job = json.loads((tmp_path / f"figs/notebooks/tiny/{a}/{b}/job.json").read_text())
        assert job["status"] == "ok", (a, b, job["error"])
        assert (tmp_path / f"figs/notebooks/tiny/{a}/{b}/notebook.ipynb").is_file()
    out = tmp_path / "figs/tiny"
    for a in ARTEFACTS: assert (out / f"{a}.md").is_file() and (out / f"{a}.csv").is_file(), a
    for png in ("fig3", "fig4", "fig5", "sugarcrepe", "lambda_sweep", "seeds"): assert (out / f"{png}.png").stat().st_size > 1000, png
    index = (tmp_path / "figs/README.md").read_text()
    assert "## `tiny`" in index and "commit" in index and f"{len(jobs)} ok" in index
    assert "not a result" in (out / "table1.md").read_text()
    assert f"reproduce tiny: {len(jobs)} notebook(s)" in r.stdout


@pytest.mark.slow  # nbs/38 runs the fig4 notebook for the second backbone through papermill too
def test_injected_parameters_change_what_the_notebook_computes(tmp_path):
    r = reproduce(tmp_path, "--only", "fig4", "--backbones", "sdsclip-tiny-rn")
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "figs/notebooks/tiny/fig4/sdsclip-tiny-rn/result.json").read_text())
    assert (res["backbone"], res["clip"]) == ("sdsclip-tiny-rn", "sdsclip-tiny-rn")  # the notebook's default is the first, sdsclip-tiny
    assert {row["backbone"] for row in res["rows"]} == {"sdsclip-tiny-rn"}
    # the scores were computed for that model: its cached scores live under its own label, and no other model was scored
    assert sorted(p.name for p in (tmp_path / "runs/tiny").iterdir()) == ["profile.jsonl", "sdsclip-tiny-rn"]  # beside it, the ledger
    nb = json.loads((tmp_path / "figs/notebooks/tiny/fig4/sdsclip-tiny-rn/notebook.ipynb").read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and 'backbone = "sdsclip-tiny-rn"' in "".join(injected[0]["source"])


def test_interrupted_reproduction_resumes_without_redoing(tmp_path):
    cmd = [SDSCLIP, "reproduce", "--preset", "tiny", "--out", "figs", "--runs", "runs", "--only", "table1,fig3,fig5"]
    p = subprocess.Popen(cmd, cwd=tmp_path, env=env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    first = tmp_path / "figs/notebooks/tiny/table1/sdsclip-tiny/job.json"
    deadline = time.time() + 600
    while not first.is_file() and time.time() < deadline and p.poll() is None: time.sleep(0.2)
    os.killpg(p.pid, signal.SIGKILL)  # the runner and its kernel, as a power cut would
    p.wait()
    assert json.loads(first.read_text())["status"] == "ok"
    assert not (tmp_path / "figs/notebooks/tiny/fig3/sdsclip-tiny/job.json").exists()  # Fig. 3 times: it runs last, alone
    stamp = first.stat().st_mtime_ns, (first.parent / "notebook.ipynb").stat().st_mtime_ns

    r = reproduce(tmp_path, "--only", "table1,fig3,fig5")
    assert r.returncode == 0, r.stderr[-3000:]
    status = {l.split()[1]: l.split()[0] for l in r.stdout.splitlines() if l.split()[:1] in (["ok"], ["reused"], ["failed"])}
    assert status["table1/sdsclip-tiny"] == "reused" and status["fig3/sdsclip-tiny"] == "ok", r.stdout
    assert status["fig5/sdsclip-tiny"] in ("ok", "reused"), r.stdout  # it ran beside table1, and may have finished before the kill
    assert "without encryption" not in r.stderr and "[IPKernelApp]" not in r.stderr  # the kernels start quietly
    assert (first.stat().st_mtime_ns, (first.parent / "notebook.ipynb").stat().st_mtime_ns) == stamp
    t = pd.read_csv(tmp_path / "figs/tiny/table1.csv")
    assert list(dict.fromkeys(t.condition)) == ["pretrained", "only-ft", "sds-backprop"]
    assert {"mean", "std", "n_seeds", "paper"} <= set(t.columns) and t["mean"].dtype.kind == "f"  # numbers, not "53.0 ± 0.6"


def test_paper_preset_without_gpu_names_what_is_missing(tmp_path):
    if subprocess.run([sys.executable, "-c", "import torch; assert not torch.cuda.is_available()"]).returncode:
        pytest.skip("this machine has a GPU; the message is about a machine without one")
    r = subprocess.run([SDSCLIP, "reproduce", "--preset", "paper", "--only", "table1", "--out", "figs"], cwd=tmp_path,
                       env=dict(env(tmp_path), SDSCLIP_COCO=str(tmp_path / "no-coco")), capture_output=True, text=True)
    assert r.returncode == 2
    assert "no CUDA GPU" in r.stderr and "no-coco does not exist" in r.stderr and "SDSCLIP_COCO" in r.stderr
    assert not (tmp_path / "figs/notebooks").exists()


def partial_runs(runs: Path) -> list[Path]:
    "The runs under `runs` that stopped before their last step."
    def step(run): return json.loads((run / "checkpoints/latest.json").read_text())["step"]
    return [c.parent for c in runs.rglob("config.json")
            if (c.parent / "checkpoints/latest.json").is_file() and step(c.parent) < json.loads(c.read_text())["total_steps"]]


@pytest.mark.slow
def test_ctrl_c_then_the_same_command_gives_what_a_clean_reproduction_gives(tmp_path):
    args = ["--only", "table1,table2", "--workers", "2"]
    clean, cut = tmp_path / "clean", tmp_path / "cut"; clean.mkdir(); cut.mkdir()
    r = reproduce(clean, *args)
    assert r.returncode == 0, r.stderr[-3000:]

    cmd = [SDSCLIP, "reproduce", "--preset", "tiny", "--out", "figs", "--runs", "runs", *args]
    p = subprocess.Popen(cmd, cwd=cut, env=env(cut), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 600  # Ctrl-C as soon as a fine-tuning run has saved its first checkpoint, mid-run
    while time.time() < deadline and p.poll() is None and not list((cut / "runs").rglob("step-*.safetensors")): time.sleep(0.05)
    os.killpg(p.pid, signal.SIGINT)  # what a terminal sends to the runner and its workers
    t0 = time.time()
    out, err = p.communicate(timeout=300)
    stopped_in = time.time() - t0
    lines = [l for l in err.splitlines() if l.strip()]
    assert p.returncode == 130 and "Traceback" not in err, err[-3000:]
    assert lines[-1].startswith("sdsclip reproduce: interrupted:") and "The same command resumes: sdsclip reproduce" in lines[-1], err
    cut_short = partial_runs(cut / "runs")
    assert cut_short, "the interrupt came after every run had finished: nothing was tested"
    assert not [r for r in cut_short if list((r / "checkpoints").glob("scores-*.json"))]  # none scored on partial weights
    print(f"stopped {stopped_in:.1f} s after Ctrl-C: {lines[-1]}")

    r = reproduce(cut, *args)
    assert r.returncode == 0, r.stderr[-3000:]
    timing = ("run/seconds_per_step",)
    a, b = (pd.read_csv(d / "figs/tiny/rows.csv") for d in (clean, cut))
    a, b = (x[~x.metric.isin(timing)].reset_index(drop=True) for x in (a, b))
    pd.testing.assert_frame_equal(a, b)  # one machine, one process layout: the resumed runs are bit-identical
    for f in ("table1.md", "table2.md"): assert (clean / "figs/tiny" / f).read_text() == (cut / "figs/tiny" / f).read_text(), f


def children(pid: int) -> list[int]:
    "The processes `pid` started (its workers and kernels), from /proc."
    try: return [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    except OSError: return []


def alive(pid: int) -> bool:
    try: return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except OSError: return False


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_no_worker_outlives_the_runner(sig, tmp_path):
    "SIGTERM or SIGHUP to the runner alone: one line, exit 130, workers stopped; SIGKILL: the workers notice and exit."
    args = ["--only", "table1,table2", "--workers", "2"]
    cmd = [SDSCLIP, "reproduce", "--preset", "tiny", "--out", "figs", "--runs", "runs", *args]
    p = subprocess.Popen(cmd, cwd=tmp_path, env=env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 600
    while time.time() < deadline and p.poll() is None and not list((tmp_path / "runs").rglob("step-*.safetensors")): time.sleep(0.05)
    workers = children(p.pid)
    assert len(workers) >= 2, "the workers had not started"
    p.send_signal(sig)  # the runner alone, as docker stop, a scheduler, a closed terminal or an out-of-memory kill does
    out, err = p.communicate(timeout=300)
    if sig != signal.SIGKILL:
        lines = [l for l in err.splitlines() if l.strip()]
        assert p.returncode == 130 and "Traceback" not in err and lines[-1].startswith("sdsclip reproduce: interrupted:"), err[-3000:]
    deadline = time.time() + 30
    while time.time() < deadline and any(alive(w) for w in workers): time.sleep(0.5)
    assert not any(alive(w) for w in workers), f"workers alive 30 s after {sig.name} to the runner"
    r = reproduce(tmp_path, *args)
    assert r.returncode == 0, r.stderr[-3000:]
