"""A run folder is a boundary, through the real command line: a hand-edited manifest, a planted link or a diverged
run never changes a file outside the folder, and each stops with one line that names the file."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sdsclip.eval.fixtures import write_sugarcrepe_fixture

SDSCLIP = str(Path(sys.executable).parent / "sdsclip")
TINY = ["--preset", "tiny", "--save-every", "4"]


def sdsclip(*args):
    return subprocess.run([SDSCLIP, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run = tmp_path_factory.mktemp("base") / "run"
    r = sdsclip("train", *TINY, "--max-steps", "12", "--out", str(run))
    assert r.returncode == 0, r.stderr
    return run


@pytest.fixture
def setup(trained, tmp_path):
    run = tmp_path / "runs/run"
    shutil.copytree(trained, run, symlinks=True)
    outside = tmp_path / "outside"; outside.mkdir()
    files = {n: outside / n for n in ("state.txt", "weights.safetensors", "lock.txt", "log.txt")}
    for n, p in files.items(): p.write_text(f"not the run's: {n}")
    return run, files


def unchanged(files):
    return all(p.is_file() and p.read_text() == f"not the run's: {n}" for n, p in files.items())


def one_line(stderr: str) -> bool:
    lines = [l for l in stderr.splitlines() if l.startswith("sdsclip") or "Error" in l]
    return len(lines) == 1 and "Traceback" not in stderr


def edit_manifest(run, edit):
    f = run / "checkpoints/latest.json"
    info = json.loads(f.read_text()); edit(info); f.write_text(json.dumps(info))


def test_manifest_entries_naming_outside_files_are_never_pruned_or_renamed(setup):
    run, files = setup
    def edit(m):
        m["checkpoints"][0]["state"]["file"] = "../../../outside/state.txt"          # pruning would delete it
        m["checkpoints"][-1]["weights"]["file"] = m["weights"] = str(files["weights.safetensors"])  # setting aside would rename it
    edit_manifest(run, edit)
    r = sdsclip("train", *TINY, "--max-steps", "16", "--out", str(run), "--resume")
    assert r.returncode == 0, r.stderr
    assert "latest.json was not used: it names" in r.stderr and "which is not a file of the checkpoints folder" in r.stderr
    assert (run / "checkpoints/latest.json.damaged").is_file() and json.loads((run / "checkpoints/latest.json").read_text())["step"] == 16
    assert unchanged(files) and not list(files["weights.safetensors"].parent.glob("*.damaged"))


@pytest.mark.parametrize("name,target", [("train.lock", "lock.txt"), ("log.jsonl", "log.txt")])
def test_a_link_out_of_the_folder_is_refused(setup, name, target):
    run, files = setup
    (run / name).unlink(missing_ok=True); (run / name).symlink_to(files[target])
    r = sdsclip("train", *TINY, "--max-steps", "16", "--out", str(run), "--resume")
    assert r.returncode == 2, r.stderr
    assert f"{run / name} is a link to {files[target]}, outside the run folder" in r.stderr and one_line(r.stderr), r.stderr
    assert unchanged(files)


def test_a_diverged_run_names_no_bad_checkpoint_and_eval_refuses_it(tmp_path):
    run = tmp_path / "run"
    r = sdsclip("train", "--preset", "tiny", "--lr", "1e30", "--save-every", "1", "--max-steps", "4", "--out", str(run))
    assert r.returncode == 3, r.stderr
    assert "It was computed from the weights after step 1; no checkpoint was written before them" in r.stderr, r.stderr
    assert "last good" not in r.stderr
    r = sdsclip("eval", "--checkpoint", str(run), "--tasks", "sugarcrepe", "--sugarcrepe", str(write_sugarcrepe_fixture(tmp_path / "sc")),
                "--device", "cpu", "--out", str(tmp_path / "eval"))
    assert r.returncode == 2 and "embeddings are not finite" in r.stderr and one_line(r.stderr), r.stderr


def test_a_hard_link_planted_as_the_lock_is_refused_and_its_file_kept(setup):
    run, files = setup
    (run / "train.lock").unlink(missing_ok=True)
    (run / "train.lock").hardlink_to(files["lock.txt"])
    r = sdsclip("train", *TINY, "--max-steps", "16", "--out", str(run), "--resume")
    assert r.returncode == 2 and "hard link" in r.stderr and one_line(r.stderr), r.stderr
    assert unchanged(files)


@pytest.mark.slow
def test_a_cp_al_snapshot_keeps_its_log_when_the_run_resumes(setup, tmp_path):
    run, _ = setup
    snap = tmp_path / "snapshot"
    assert subprocess.run(["cp", "-al", str(run), str(snap)]).returncode == 0
    before = {p.relative_to(snap): p.read_bytes() for p in snap.rglob("*") if p.is_file()}
    r = sdsclip("train", *TINY, "--max-steps", "16", "--out", str(run), "--resume")
    assert r.returncode == 0, r.stderr
    assert {p.relative_to(snap): p.read_bytes() for p in snap.rglob("*") if p.is_file()} == before
    assert len((run / "log.jsonl").read_text().splitlines()) > len(before[Path("log.jsonl")].decode().splitlines())


def test_export_onto_the_run_s_own_checkpoint_is_refused(setup):
    run, _ = setup
    newest = sorted((run / "checkpoints").glob("step-*.safetensors"))[-1]
    data = newest.read_bytes()
    r = sdsclip("export", str(run), "--out", str(newest))
    assert r.returncode == 2 and "one of the files of the run" in r.stderr and one_line(r.stderr), r.stderr
    assert newest.read_bytes() == data


@pytest.mark.slow  # six command starts
@pytest.mark.parametrize("out,said", [("", "is empty"), ("/", "file-system root")])
def test_outputs_that_are_no_place_to_write_are_refused(out, said, tmp_path):
    for cmd in (["train", *TINY, "--max-steps", "1", "--out", out], ["eval", "--checkpoint", "x", "--out", out],
                ["reproduce", "--preset", "tiny", "--only", "fig3", "--out", out]):
        r = subprocess.run([SDSCLIP, *cmd], capture_output=True, text=True, timeout=600, cwd=tmp_path)
        assert r.returncode == 2 and said in r.stderr and one_line(r.stderr), (cmd, r.stderr)
    assert list(tmp_path.iterdir()) == []


def test_a_repository_root_is_refused_and_a_folder_of_one_s_own_README_kept(tmp_path):
    (tmp_path / ".git").mkdir(); (tmp_path / "README.md").write_text("# My project\n")
    r = subprocess.run([SDSCLIP, "train", *TINY, "--max-steps", "1", "--out", "."], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 2 and "root of a repository" in r.stderr, r.stderr
    docs = tmp_path / "docs"; docs.mkdir(); (docs / "README.md").write_text("# My docs\n")
    r = subprocess.run([SDSCLIP, "reproduce", "--preset", "tiny", "--only", "fig3", "--out", "docs"], capture_output=True, text=True,
                       timeout=600, cwd=tmp_path)
    assert r.returncode == 2 and "not a reproduction's" in r.stderr, r.stderr
    assert (docs / "README.md").read_text() == "# My docs\n" and sorted(p.name for p in docs.iterdir()) == ["README.md"]


def test_a_folder_with_the_user_s_own_config_and_log_is_not_overwritten(tmp_path):
    (tmp_path / "config.json").write_text('{"my": "settings"}'); (tmp_path / "log.jsonl").write_text("my notes\n")
    r = sdsclip("train", *TINY, "--max-steps", "1", "--out", str(tmp_path))
    assert r.returncode == 2 and "no sdsclip run wrote" in r.stderr and one_line(r.stderr), r.stderr
    assert (tmp_path / "config.json").read_text() == '{"my": "settings"}' and (tmp_path / "log.jsonl").read_text() == "my notes\n"


def test_a_copied_run_folder_resumes_like_the_original(trained, tmp_path):
    "`rsync -a` / `cp -a` of a run (its lock file and a half-written temporary included) resumes to the original's weights."
    from safetensors.torch import load_file
    orig, copy = tmp_path / "orig", tmp_path / "copy"
    shutil.copytree(trained, orig); shutil.copytree(trained, copy)  # new inodes, the same times: what rsync -a gives
    (copy / "train.lock").write_text(json.dumps({"pid": 1, "host": "elsewhere", "started": "", "argv": []}))  # the source's lock, copied
    (copy / "checkpoints/.step-00000016.safetensors.k3j9x_a2.tmp").write_bytes(b"\0" * 4096)  # a save the copy caught half-written
    said = {}
    for run in (copy, orig):
        r = sdsclip("train", *TINY, "--max-steps", "16", "--resume", "--out", str(run))
        assert r.returncode == 0, r.stderr
        said[run] = r.stderr
    assert "removed 1 temporary file(s) a killed save left" in said[copy] and "temporary" not in said[orig]
    a, b = load_file(copy / "checkpoints/step-00000016.safetensors"), load_file(orig / "checkpoints/step-00000016.safetensors")
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    assert not list((copy / "checkpoints").glob("*.tmp")) and not (copy / "train.lock").exists()
