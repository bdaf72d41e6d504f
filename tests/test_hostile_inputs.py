"""Bad input through the real command line, as a careless (or hostile) user gives it: every case exits with its code
and one line on stderr that names the file or option and what to do, never a traceback, and changes no file outside
the folder the command was told to write (plus odd input that must simply work). The faults a run survives (kills,
damaged checkpoints, a full disk, a second writer, links out of the folder) have their own tests in test_train.py,
test_checkpoints.py and test_run_folder_boundary.py. The cases run a few at a time (each is a fresh `sdsclip` process)."""
import hashlib
import json
import pickle
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from sdsclip.checkpoint import latest_checkpoint, read_metadata, save_checkpoint
from sdsclip.eval.fixtures import write_sugarcrepe_fixture, write_vg_attribution_fixture, write_vg_fixture, write_winoground_fixture
from sdsclip.models import model_config_dir
from PIL import Image
from safetensors.torch import load_file

SDSCLIP = str(Path(sys.executable).parent / "sdsclip")
TINY = ["--preset", "tiny", "--save-every", "4"]


def coco(root, edit=None, n=3):
    (root / "annotations").mkdir(parents=True); (root / "train2017").mkdir()
    data = {"images": [{"id": i, "file_name": f"{i:012d}.jpg"} for i in range(n)],
            "annotations": [{"id": 10 * i + k, "image_id": i, "caption": f"image {i} caption {k}"} for i in range(n) for k in range(2)]}
    if edit: edit(data)
    (root / "annotations/captions_train2017.json").write_text(json.dumps(data))
    return root


class Payload:
    def __reduce__(self): return (print, ("unpickled",))


def make_inputs(w: Path, run: Path) -> dict:
    "Every bad input of the cases, in the real formats, under `w`."
    p = {"run": run}
    p["coco_no_images"] = coco(w / "coco-no-images", lambda d: d.pop("images"))
    p["coco_orphan"] = coco(w / "coco-orphan", lambda d: d["annotations"].append({"id": 99, "image_id": 424242, "caption": "x"}))
    p["coco_null"] = coco(w / "coco-null", lambda d: d["annotations"][1].update(caption=None))
    p["coco_cut"] = coco(w / "coco-cut"); f = p["coco_cut"] / "annotations/captions_train2017.json"; f.write_text(f.read_text()[:-30])
    p["jsonl_late"] = w / "late.jsonl"; p["jsonl_late"].write_text('{"image": "a.png", "caption": "x"}\n' * 10 + '{"image": "b.png"}\n')
    p["jsonl_broken"] = w / "broken.jsonl"; p["jsonl_broken"].write_text('{"image": "a.png", "caption": "x"}\n' * 10 + '{"image": "b.png", "cap\n')
    p["csv_latin1"] = w / "latin1.csv"; p["csv_latin1"].write_bytes("image,caption\na.png,un caf\xe9\n".encode("latin-1"))
    p["csv_empty"] = w / "empty.csv"; p["csv_empty"].write_text("image,caption\n")
    p["pickle_pt"] = w / "weights.pt"; p["pickle_pt"].write_bytes(pickle.dumps({"w": Payload()}))
    p["pickle_st"] = w / "weights.safetensors"; p["pickle_st"].write_bytes(pickle.dumps(Payload()))
    wg = write_winoground_fixture(w / "wg-no-caption"); f = wg / "data/examples.jsonl"
    lines = f.read_text().splitlines(); lines[1] = lines[1].replace('"caption_1"', '"caption_one"'); f.write_text("\n".join(lines) + "\n")
    p["wg_no_caption"] = wg
    wg = write_winoground_fixture(w / "wg-broken"); f = wg / "data/examples.jsonl"
    f.write_text(f.read_text()[:-40] + "\n")
    p["wg_broken"] = wg
    aro = write_vg_fixture(w / "aro-no-bbox"); f = aro / "visual_genome_relation.json"
    rows = json.loads(f.read_text()); del rows[2]["bbox_x"]; f.write_text(json.dumps(rows))
    p["aro_no_bbox"] = aro
    aro = write_vg_fixture(w / "aro-cut"); f = aro / "visual_genome_relation.json"; f.write_text(f.read_text()[:-20])
    p["aro_cut"] = aro
    aro = write_vg_fixture(w / "aro-strings"); (aro / "visual_genome_relation.json").write_text(json.dumps(["a", "b"]))
    p["aro_strings"] = aro
    sc = write_sugarcrepe_fixture(w / "sc-cut"); f = next((sc / "data").glob("*.json")); f.write_text(f.read_text()[:50])
    p["sc_cut"], p["sc_cut_file"] = sc, f.name
    p["empty_dir"] = w / "empty-dir"; p["empty_dir"].mkdir()
    nan = w / "run-nan"; shutil.copytree(run, nan)
    latest = latest_checkpoint(nan)
    weights = {k: torch.full_like(v, float("nan")) for k, v in load_file(latest["weights"]).items()}
    save_checkpoint(nan, int(latest["step"]) + 1, weights, read_metadata(latest["weights"]), load_file(latest["state"]), {})
    p["run_nan"] = nan
    wg = write_winoground_fixture(w / "wg-zip-short", zipped=True)
    keep_only(wg / "data/images.zip", lambda n: "ex_2_img_1" not in n)
    p["wg_zip_short"] = wg
    wg = write_winoground_fixture(w / "wg-zip-text", zipped=True)
    with zipfile.ZipFile(wg / "data/images.zip", "a") as z: z.writestr("images/ex_9_img_0.png", "a text file")
    keep_only(wg / "data/images.zip", lambda n: "ex_1_img_0" not in n)
    with zipfile.ZipFile(wg / "data/images.zip", "a") as z: z.writestr("images/ex_1_img_0.png", "a text file")
    p["wg_zip_text"] = wg
    wg = write_winoground_fixture(w / "wg-cut-png"); f = wg / "data/images/ex_0_img_0.png"
    Image.new("RGB", (200, 200), 3).save(f); f.write_bytes(f.read_bytes()[:100])
    p["wg_cut_png"] = wg
    wg = write_winoground_fixture(w / "wg-bomb"); Image.new("1", (20_000, 20_000)).save(wg / "data/images/ex_0_img_0.png")
    p["wg_bomb"] = wg
    p["wg_ok"] = write_winoground_fixture(w / "wg-ok")
    aro = write_vg_attribution_fixture(w / "aro-no-pair"); f = aro / "visual_genome_attribution.json"
    rows = json.loads(f.read_text()); rows[3]["attributes"] = []; f.write_text(json.dumps(rows))
    p["aro_no_pair"] = aro
    aro = write_vg_fixture(w / "aro-infinite"); f = aro / "visual_genome_relation.json"
    f.write_text(f.read_text().replace('"bbox_w": 20', '"bbox_w": Infinity', 1))
    p["aro_infinite"] = aro
    local = w / "local-dir-pickle"; local.mkdir()
    cfg = json.loads((model_config_dir() / "sdsclip-tiny.json").read_text())
    (local / "open_clip_config.json").write_text(json.dumps({"model_cfg": cfg, "preprocess_cfg": {}}))
    (local / "open_clip_pytorch_model.bin").write_bytes(pickle.dumps({"w": Payload()}))
    p["local_pickle"] = local
    bad = w / "run-config-latin1"; shutil.copytree(run, bad)
    f = bad / "config.json"; f.write_bytes(f.read_bytes().replace(b'"preset"', b'"pr\xe9set"', 1))
    p["run_config_latin1"] = bad
    deep = w / "run-manifest-deep"; shutil.copytree(run, deep)
    (deep / "checkpoints/latest.json").write_text("[" * 100_000 + "]" * 100_000)
    p["run_manifest_deep"] = deep
    folder_manifest = w / "run-manifest-folder"; shutil.copytree(run, folder_manifest)
    (folder_manifest / "checkpoints/latest.json").unlink(); (folder_manifest / "checkpoints/latest.json").mkdir()
    p["run_manifest_folder"] = folder_manifest
    p["foreign_file"] = w / "notes.safetensors"; p["foreign_file"].write_text("my notes")
    p["foreign_out"] = w / "notes"; p["foreign_out"].mkdir(); (p["foreign_out"] / "summary.md").write_text("# My notes\n")
    return p


def keep_only(zip_path: Path, keep):
    "Rewrite the zip with the members `keep(name)` accepts."
    with zipfile.ZipFile(zip_path) as z: members = {n: z.read(n) for n in z.namelist() if keep(n)}
    with zipfile.ZipFile(zip_path, "w") as z:
        for n, b in members.items(): z.writestr(n, b)


# (id, argv with {placeholders} from the inputs and {out}, exit code, what the one line must say)
CASES = [
    ("train-max-steps-0", ["train", *TINY, "--max-steps", "0", "--out", "{out}"], 2, "max_steps (--max-steps) must be >= 1, got 0"),
    ("train-max-steps-negative", ["train", *TINY, "--max-steps", "-5", "--out", "{out}"], 2, "must be >= 1, got -5"),
    ("train-warmup-negative", ["train", *TINY, "--warmup-steps", "-1", "--out", "{out}"], 2, "warmup_steps (--warmup-steps) must be >= 0"),
    ("train-workers-negative", ["train", *TINY, "--workers", "-1", "--out", "{out}"], 2, "workers (--workers) must be >= 0"),
    ("train-lr-zero", ["train", *TINY, "--lr", "0", "--out", "{out}"], 2, "lr (--lr) must be a finite number > 0"),
    ("train-device-tpu", ["train", *TINY, "--device", "tpu", "--out", "{out}"], 2, "device='tpu' is not valid"),
    ("train-resume-typo", ["train", *TINY, "--resume", "--out", "{out}/no-such-run"], 2, "holds no run to continue"),
    ("train-out-is-a-file", ["train", *TINY, "--out", "{csv_empty}"], 2, "is a file, not a run folder"),
    ("train-resume-below-done", ["train", *TINY, "--resume", "--max-steps", "4", "--out", "{copy_of_run}"], 2, "step 8"),
    ("train-out-under-proc", ["train", *TINY, "--out", "/proc/sdsclip-run"], 2, "/proc/sdsclip-run"),
    ("train-teacher-folder-missing", ["train", *TINY, "--teacher", "{out}/no-teacher", "--out", "{out}/run"], 2,
     "no-teacher (folder): missing unet/config.json"),
    ("train-out-with-spaces-and-non-ascii", ["train", *TINY, "--max-steps", "2", "--out", "{out}/a run ü"], 0, "done: 2 steps"),
    ("train-coco-cut-short", ["train", *TINY, "--data", "{coco_cut}", "--out", "{out}"], 2, "captions_train2017.json is not valid JSON"),
    ("train-coco-without-images", ["train", *TINY, "--data", "{coco_no_images}", "--out", "{out}"], 2, "has no 'images'"),
    ("train-coco-orphan-annotation", ["train", *TINY, "--data", "{coco_orphan}", "--out", "{out}"], 2, "names image_id 424242, which no entry of 'images' has"),
    ("train-coco-null-caption", ["train", *TINY, "--data", "{coco_null}", "--out", "{out}"], 2, "record 1 has 'caption' = 'None'"),
    ("train-jsonl-row-without-caption", ["train", *TINY, "--data", "{jsonl_late}", "--out", "{out}"], 2, "late.jsonl: record 10 (line 11) has no 'caption'"),
    ("train-jsonl-broken-line", ["train", *TINY, "--data", "{jsonl_broken}", "--out", "{out}"], 2, "broken.jsonl: line 11 is not valid JSON"),
    ("train-csv-latin1", ["train", *TINY, "--data", "{csv_latin1}", "--out", "{out}"], 2, "is not UTF-8 text: byte 0xe9 on line 2"),
    ("train-csv-without-rows", ["train", *TINY, "--data", "{csv_empty}", "--out", "{out}"], 2, "holds no image-caption pairs"),
    ("train-data-missing", ["train", *TINY, "--data", "{out}/nowhere.jsonl", "--out", "{out}/run"], 2, "nowhere.jsonl"),
    ("train-pretrained-pickle", ["train", *TINY, "--pretrained", "{pickle_pt}", "--out", "{out}"], 2, "weights.pt is not a file of tensors only"),
    ("train-pretrained-pickle-as-safetensors", ["train", *TINY, "--pretrained", "{pickle_st}", "--out", "{out}"], 2,
     "weights.safetensors is not a readable safetensors file"),
    ("eval-batch-size-0", ["eval", "--checkpoint", "{run}", "--batch-size", "0", "--out", "{out}"], 2, "batch_size (--batch-size) must be >= 1, got 0"),
    ("eval-batch-size-negative", ["eval", "--checkpoint", "{run}", "--batch-size", "-3", "--out", "{out}"], 2, "must be >= 1, got -3"),
    ("eval-device-tpu", ["eval", "--checkpoint", "{run}", "--device", "tpu", "--out", "{out}"], 2, "device='tpu' is not valid"),
    ("eval-unknown-task", ["eval", "--checkpoint", "{run}", "--tasks", "relations", "--out", "{out}"], 2, "Unknown task(s) ['relations']"),
    ("eval-aro-root-missing", ["eval", "--checkpoint", "{run}", "--tasks", "aro", "--aro", "{empty_dir}", "--device", "cpu", "--out", "{out}"], 2,
     "holds neither visual_genome_relation.json nor visual_genome_attribution.json"),
    ("eval-aro-without-bbox", ["eval", "--checkpoint", "{run}", "--tasks", "aro", "--aro", "{aro_no_bbox}", "--device", "cpu", "--out", "{out}"], 2,
     "visual_genome_relation.json: record 2 has no 'bbox_x'"),
    ("eval-aro-cut-short", ["eval", "--checkpoint", "{run}", "--tasks", "aro", "--aro", "{aro_cut}", "--device", "cpu", "--out", "{out}"], 2,
     "visual_genome_relation.json is not valid JSON"),
    ("eval-aro-strings", ["eval", "--checkpoint", "{run}", "--tasks", "aro", "--aro", "{aro_strings}", "--device", "cpu", "--out", "{out}"], 2,
     "record 0 is str 'a', not an object"),
    ("eval-winoground-without-caption", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{wg_no_caption}",
                                         "--device", "cpu", "--out", "{out}"], 2, "examples.jsonl: record 1 (line 2) has no 'caption_1'"),
    ("eval-winoground-broken-line", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{wg_broken}",
                                     "--device", "cpu", "--out", "{out}"], 2, "is not valid JSON"),
    ("eval-winoground-folder-missing", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{out}/nowhere",
                                        "--device", "cpu", "--out", "{out}/eval"], 2, "nowhere does not exist (give --winoground a folder, or 'hub'. A local Winoground folder holds data/examples.jsonl"),
    ("eval-sugarcrepe-cut-short", ["eval", "--checkpoint", "{run}", "--tasks", "sugarcrepe", "--sugarcrepe", "{sc_cut}",
                                   "--device", "cpu", "--out", "{out}"], 2, "{sc_cut_file} is not valid JSON"),
    ("eval-nan-weights", ["eval", "--checkpoint", "{run_nan}", "--tasks", "winoground", "--winoground", "{wg_broken}",
                          "--device", "cpu", "--out", "{out}"], 2, "holds weights that are not finite"),
    ("eval-pickle-as-pretrained", ["eval", "--model", "sdsclip-tiny", "--pretrained", "{pickle_pt}", "--tasks", "winoground",
                                   "--winoground", "{wg_broken}", "--device", "cpu", "--out", "{out}"], 2, "is not a file of tensors only"),
    ("bench-batch-0", ["bench", "--batch-size", "0", "--out", "{out}/b.json"], 2, "batch_size (--batch-size) must be >= 1, got 0"),
    ("bench-device-tpu", ["bench", "--device", "tpu", "--out", "{out}/b.json"], 2, "device='tpu' is not valid"),
    ("bench-unknown-mode", ["bench", "--modes", "stopgrad,sds", "--out", "{out}/b.json"], 2, "--modes: 'sds' unknown. Choose from: contrastive, backprop"),
    ("export-into-a-folder", ["export", "{run}", "--out", "{empty_dir}"], 2, "is a folder: give the file to write"),
    ("export-under-proc", ["export", "{run}", "--out", "/proc/sdsclip-export/model.safetensors"], 2, "/proc/sdsclip-export"),
    ("export-nan-weights", ["export", "{run_nan}", "--out", "{out}/model.safetensors"], 2, "holds weights that are not finite"),
    ("reproduce-workers-0", ["reproduce", "--preset", "tiny", "--workers", "0", "--out", "{out}/figs"], 2, "workers (--workers) must be >= 1, got 0"),
    ("reproduce-unknown-artefact", ["reproduce", "--preset", "tiny", "--only", "table9", "--out", "{out}/figs"], 2, "table9"),
    ("eval-winoground-zip-missing-image", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{wg_zip_short}", "--device", "cpu", "--out", "{out}"], 2, "images.zip lacks 1 image(s) that examples.jsonl names: ['ex_2_img_1']"),
    ("eval-winoground-zip-text-member", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{wg_zip_text}", "--device", "cpu", "--out", "{out}"], 2, "images.zip:images/ex_1_img_0.png cannot be read (UnidentifiedImageError"),
    ("eval-winoground-truncated-png", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{wg_cut_png}", "--device", "cpu", "--out", "{out}"], 2, "ex_0_img_0.png cannot be read"),
    ("eval-winoground-decompression-bomb", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{wg_bomb}", "--device", "cpu", "--out", "{out}"], 2, "ex_0_img_0.png cannot be read (DecompressionBombError"),
    ("eval-aro-attributes-empty", ["eval", "--checkpoint", "{run}", "--tasks", "aro", "--aro", "{aro_no_pair}", "--device", "cpu", "--out", "{out}"], 2,
     "record 3 has 'attributes' = '[]', not two attribute names"),
    ("eval-aro-bbox-infinity", ["eval", "--checkpoint", "{run}", "--tasks", "aro", "--aro", "{aro_infinite}", "--device", "cpu", "--out", "{out}"], 2,
     "record 0 has 'bbox_w' = 'inf', which is not a finite number"),
    ("eval-local-dir-pickle", ["eval", "--model", "local-dir:{local_pickle}", "--tasks", "winoground", "--winoground", "{wg_ok}", "--device", "cpu",
                               "--out", "{out}"], 2, "open_clip_pytorch_model.bin is not a file of tensors only"),
    ("eval-out-holds-foreign-summary", ["eval", "--checkpoint", "{run}", "--tasks", "winoground", "--winoground", "{wg_ok}", "--device", "cpu",
                                       "--out", "{foreign_out}"], 2, "holds files that no sdsclip evaluation wrote (summary.md)"),
    ("train-resume-config-not-utf8", ["train", *TINY, "--resume", "--max-steps", "12", "--out", "{run_config_latin1}"], 2,
     "config.json is not UTF-8 text: byte 0xe9 on line"),
    ("train-resume-manifest-nested-deep", ["train", *TINY, "--resume", "--max-steps", "12", "--out", "{copy_of_run_manifest_deep}"], 0, "done: 12 steps"),
    ("train-resume-latest-json-a-folder", ["train", *TINY, "--resume", "--max-steps", "12", "--out", "{copy_of_run_manifest_folder}"], 5,
     "Is a directory: {copy_of_run_manifest_folder}/checkpoints/latest.json"),
    ("export-over-a-file-of-the-user", ["export", "{run}", "--out", "{foreign_file}"], 2, "exists and is not an sdsclip export"),
    ("train-weight-decay-inf", ["train", *TINY, "--weight-decay", "inf", "--out", "{out}"], 2, "weight_decay (--weight-decay) must be a finite number >= 0, got inf"),
    ("train-lambda-share-inf", ["train", *TINY, "--lambda", "share=inf", "--out", "{out}"], 2, "the share r must be a finite number > 0"),
]


# Cases whose check a notebook also makes in-process (or that take the same path as a case above): `make test-slow` runs them.
SLOW = {"train-coco-without-images", "train-coco-orphan-annotation", "train-coco-null-caption", "train-jsonl-row-without-caption",
        "eval-aro-root-missing", "train-max-steps-0", "eval-batch-size-0", "train-out-is-a-file", "train-resume-typo",
        "train-pretrained-pickle", "train-max-steps-negative", "train-lr-zero", "eval-batch-size-negative", "eval-device-tpu", "eval-unknown-task", "bench-device-tpu", "bench-unknown-mode", "reproduce-unknown-artefact", "eval-winoground-folder-missing", "train-csv-latin1", "train-jsonl-broken-line", "eval-sugarcrepe-cut-short", "train-coco-cut-short", "eval-aro-cut-short", "train-data-missing", "train-csv-without-rows", "export-nan-weights", "eval-pickle-as-pretrained",
        "eval-winoground-zip-text-member", "eval-winoground-truncated-png", "eval-winoground-decompression-bomb", "eval-aro-attributes-empty",
        "eval-aro-bbox-infinity", "eval-local-dir-pickle", "train-resume-config-not-utf8", "train-weight-decay-inf", "train-lambda-share-inf",
        "export-over-a-file-of-the-user", "bench-batch-0", "reproduce-workers-0",
        # the same checks in-process: 07b (a warm-up below 0), 08 (a budget below the steps done), 01 (a pickle named .safetensors),
        # 12 (a record without its box, strings for records), 11 (an example without caption_1), 05 (an export into a folder),
        # 15 (an --out holding another summary.md)
        "train-warmup-negative", "train-resume-below-done", "train-pretrained-pickle-as-safetensors", "eval-aro-without-bbox",
        "eval-aro-strings", "eval-winoground-without-caption", "export-into-a-folder", "eval-out-holds-foreign-summary"}
PARAMS = [pytest.param(*c, id=c[0], marks=[pytest.mark.slow] if c[0] in SLOW else []) for c in CASES]


def snapshot(root: Path, skip: Path) -> dict:
    return {str(p): hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_relative_to(skip)}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, request):
    w = tmp_path_factory.mktemp("hostile")
    run = w / "run"
    r = subprocess.run([SDSCLIP, "train", *TINY, "--max-steps", "8", "--out", str(run)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    inputs = make_inputs(w, run)
    outs = w / "outs"; outs.mkdir()
    before = snapshot(w, outs)

    def one(case):
        name, argv, *_ = case
        out = outs / name
        fields = {k: str(v) for k, v in inputs.items()} | {"out": str(out)}
        for key in re.findall(r"\{copy_of_(\w+)\}", " ".join(argv)):  # a run the case changes: a copy of it, inside its out folder
            shutil.copytree(inputs[key], out / key); fields[f"copy_of_{key}"] = str(out / key)
        args = [a.format(**fields) for a in argv]
        r = subprocess.run([SDSCLIP, *args], capture_output=True, text=True, timeout=600, cwd=w)
        return name, (r, fields, out)

    selected = {i.callspec.id for i in request.session.items if i.module is request.module and hasattr(i, "callspec")}
    with ThreadPoolExecutor(3) as pool: results = dict(pool.map(one, [c for c in CASES if c[0] in selected]))
    return results, before, snapshot(w, outs)


@pytest.mark.parametrize("name,argv,code,says", PARAMS)
def test_one_line_naming_the_problem(outcomes, name, argv, code, says):
    r, fields, out = outcomes[0][name]
    lines = [l for l in r.stderr.splitlines() if l.strip() and not l.startswith("(set SDSCLIP_DEBUG")]
    assert r.returncode == code, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and "unpickled" not in r.stdout + r.stderr, r.stderr[-2000:]
    if code == 0:  # a case that must simply work
        assert says in r.stdout and "error" not in r.stderr, r.stdout + r.stderr
        return
    assert len([l for l in lines if l.startswith("sdsclip ") and ("error:" in l or "stopped:" in l)]) == 1, r.stderr
    assert says.format(**fields) in r.stderr, r.stderr
    if name.startswith(("eval-", "export-")) and not name.endswith("missing"):
        assert not out.exists() or any(out.iterdir()), "a failed command left an empty folder"


def test_no_case_changed_a_file_outside_its_out_folder(outcomes):
    _, before, after = outcomes
    assert after == before


def test_a_disk_full_at_start_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    "The lock is the first file `train` writes: on a full disk the command says so in one line and leaves no empty lock."
    import errno, os
    from sdsclip.cli import main
    write = os.write
    def full_for_the_run(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(tmp_path)): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write(fd, data)
    monkeypatch.setattr(os, "write", full_for_the_run)
    run = tmp_path / "run"
    assert main(["train", *TINY, "--out", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"sdsclip train: error: No space left on device: {run / 'train.lock'}" in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []  # neither train.lock nor the folder made for it
