"""`sdsclip bench` as a real process on the tiny models: it measures every mode and writes its JSON."""
import json
import subprocess
import sys
from pathlib import Path

SDSCLIP = str(Path(sys.executable).parent / "sdsclip")


def test_bench_tiny_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    r = subprocess.run([SDSCLIP, "bench", "--preset", "tiny", "--batch-size", "2", "--rounds", "1", "--device", "cpu",
                        "--n-samples", "2", "--diffusion-items", "1", "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    d = json.loads(out.read_text())
    assert set(d["modes"]) == {"contrastive", "backprop", "stopgrad", "backprop+ckpt"}
    m = d["modes"]
    for x in m.values(): assert abs(x["pairs_per_s"] - 2 / x["seconds"]) < 1e-6 * x["pairs_per_s"]  # batch 2 over the measured seconds
    flops = [m[k]["flops_per_pair"] for k in ("contrastive", "stopgrad", "backprop", "backprop+ckpt")]
    assert flops == sorted(flops) and len(set(flops)) == 4, flops  # each mode adds work: the SDS term, its backward, the recompute
    assert m["backprop+ckpt"]["memory_bytes"] < m["backprop"]["memory_bytes"]  # checkpointing keeps fewer activations
    assert {t["target"] for t in d["targets"]} and d["machine"]["threads"] >= 1
    assert d["diffusion"]["n_samples"] == 2
    assert "pairs/s" in r.stdout and "met" in r.stdout


def test_earlier_spellings_still_work_and_are_not_shown():
    "--arch real / --batch / --clip / --diffusion-samples (bench) and --clip / --lam (train) parse as the new names."
    from sdsclip.cli import build_parser
    p = build_parser()
    a = p.parse_args(["bench", "--arch", "real", "--batch", "8", "--clip", "RN50", "--diffusion-samples", "3"])
    assert (a.preset, a.batch_size, a.model, a.n_samples) == ("paper", 8, "RN50", 3)
    t = p.parse_args(["train", "--clip", "RN50", "--lam", "0"])
    assert (t.clip, t.lam) == ("RN50", 0.0)
    helps = {c: p._subparsers._group_actions[0].choices[c].format_help() for c in ("bench", "train", "eval")}
    for old in ("--arch", "--batch ", "--clip", "--diffusion-samples", "--lam "):
        assert not any(old in h for h in helps.values()), old
    assert all(h.rstrip().splitlines()[-1].startswith("  sdsclip ") for h in helps.values())  # each ends with examples
    from sdsclip.cli import EXAMPLES
    assert all(2 <= len(e) <= 4 for e in EXAMPLES.values()), {k: len(e) for k, e in EXAMPLES.items()}
