"""`sdsclip eval` as a real process: a tiny fine-tuned checkpoint on fixtures in the benchmarks' formats."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sdsclip.eval.fixtures import (SUGARCREPE_FIXTURE, write_dtd_fixture, write_mnist_fixture, write_order_fixture,
                                   write_sugarcrepe_fixture, write_vg_fixture, write_winoground_fixture)

SDSCLIP = str(Path(sys.executable).parent / "sdsclip")


def sdsclip(*args, env=None):
    return subprocess.run([SDSCLIP, *args], capture_output=True, text=True, timeout=600, env=env)


def test_eval_finetuned_checkpoint_end_to_end(tmp_path):
    assert sdsclip("train", "--preset", "tiny", "--out", str(tmp_path / "run"), "--max-steps", "2").returncode == 0
    zs = write_dtd_fixture(write_mnist_fixture(tmp_path / "zs"))
    r = sdsclip("eval", "--checkpoint", str(tmp_path / "run"), "--tasks", "winoground,aro,zeroshot",
                "--winoground", str(write_winoground_fixture(tmp_path / "wg", zipped=True)),
                "--aro", str(write_vg_fixture(tmp_path / "aro")), "--zeroshot-root", str(zs),
                "--zeroshot-datasets", "mnist,dtd", "--device", "cpu", "--out", str(tmp_path / "eval"))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "eval"
    for f in ("winoground.json", "aro.json", "zeroshot.json", "summary.md", "winoground_items.csv"):
        assert (out / f).is_file(), f
    wg = json.loads((out / "winoground.json").read_text())
    assert set(wg["result"]["table1_text_score"]) == {"Overall", "Object", "Relation", "Both", "1 Main Pred", "2 Main Preds"}
    assert wg["description"].startswith("checkpoint") and wg["seed"] == 0
    assert (wg["dataset"], wg["model"], wg["task"]) == ("winoground", "sdsclip-tiny", "winoground")  # the model scored
    assert wg["pretrained"].endswith("step-00000002.safetensors") and "Overall/group" in wg["metrics"]
    aro = json.loads((out / "aro.json").read_text())["result"]["vg_relation"]
    assert aro["micro"]["n"] == 12 and aro["groups_used"] == 2
    assert json.loads((out / "zeroshot.json").read_text())["result"]["mnist"]["n"] == 20
    assert "## Winoground" in r.stdout and "## ARO" in r.stdout


@pytest.mark.slow  # nbs/11 checks the offline hub route in-process
def test_eval_winoground_offline_says_what_to_do(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    r = sdsclip("eval", "--model", "sdsclip-tiny", "--pretrained", "none", "--tasks", "winoground",
                "--out", str(tmp_path / "eval"), env=env)
    assert r.returncode == 2
    assert "facebook/winoground" in r.stderr and "HF_TOKEN" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow  # tests/test_hostile_inputs.py holds the same case
def test_eval_unknown_task(tmp_path):
    r = sdsclip("eval", "--model", "sdsclip-tiny", "--pretrained", "none", "--tasks", "winogrande", "--out", str(tmp_path))
    assert r.returncode == 2 and "'winogrande'" in r.stderr and "winoground, aro, vg, order, sugarcrepe, zeroshot" in r.stderr


@pytest.mark.slow  # nbs/17 checks the spaCy need in-process
def test_order_tasks_without_spacy_say_what_to_install(tmp_path):
    import importlib.util
    if importlib.util.find_spec("spacy") is not None:
        return  # spaCy present: the message is for machines without it
    r = sdsclip("eval", "--model", "sdsclip-tiny", "--pretrained", "none", "--tasks", "aro",
                "--coco", str(write_order_fixture(tmp_path / "coco")), "--out", str(tmp_path / "eval"))
    assert r.returncode == 2 and "en_core_web_sm" in r.stderr


@pytest.mark.slow  # nbs/15 evaluates with the diffusion scorer in-process
def test_eval_with_the_diffusion_scorer(tmp_path):
    r = sdsclip("eval", "--scorer", "diffusion", "--teacher", "tiny", "--n-samples", "3", "--tasks", "winoground,aro",
                "--winoground", str(write_winoground_fixture(tmp_path / "wg")), "--aro", str(write_vg_fixture(tmp_path / "aro")),
                "--device", "cpu", "--out", str(tmp_path / "eval"))
    assert r.returncode == 0, r.stderr
    wg = json.loads((tmp_path / "eval/winoground.json").read_text())
    assert wg["scorer"] == "diffusion" and "N=3" in wg["description"] and wg["model"] == "tiny"
    assert json.loads((tmp_path / "eval/aro.json").read_text())["result"]["vg_relation"]["micro"]["n"] == 12


@pytest.mark.slow  # nbs/13 reads SugarCrepe with its images elsewhere and names a missing one, in-process
def test_eval_sugarcrepe_from_its_root_and_images_elsewhere(tmp_path):
    root = write_sugarcrepe_fixture(tmp_path / "sugar-crepe")
    (root / "val2017").rename(tmp_path / "coco-val2017")
    args = ("eval", "--model", "sdsclip-tiny", "--pretrained", "none", "--tasks", "sugarcrepe", "--sugarcrepe", str(root),
            "--sugarcrepe-images", str(tmp_path / "coco-val2017"), "--device", "cpu", "--out", str(tmp_path / "eval"))
    r = sdsclip(*args)
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "eval/sugarcrepe.json").read_text())["result"]
    assert {k: v["n"] for k, v in res["subsets"].items()} == {k: len(v) for k, v in SUGARCREPE_FIXTURE.items()}
    assert set(res["categories"]) == {"add", "replace", "swap"} and res["mean"]["n"] == 17
    assert abs(res["mean"]["acc"] - sum(v["acc"] for v in res["subsets"].values()) / 7) < 1e-12
    items = (tmp_path / "eval/sugarcrepe_items.csv").read_text().splitlines()
    assert items[0] == "subset,id,filename,s_pos,s_neg,correct" and len(items) == 18
    assert "## SugarCrepe" in r.stdout and "mean of all" in r.stdout
    (tmp_path / "coco-val2017/000000000007.jpg").unlink()
    r = sdsclip(*args)
    assert r.returncode == 2 and "000000000007.jpg" in r.stderr and "val2017.zip" in r.stderr and "Traceback" not in r.stderr, r.stderr
