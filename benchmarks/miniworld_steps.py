"""Miniworld fine-tuning: scores against steps, to choose how many steps the reproduction needs.

Trains each condition once (seed 0, the miniworld preset's options, one epoch = 250 steps), keeps a checkpoint every
`--every` steps, and scores each checkpoint on Winoground, VG-Relation/Attribution and the zero-shot tasks. Prints a
table and writes benchmarks/results/miniworld_steps.json.

    python benchmarks/miniworld_steps.py --conditions only-ft sds-backprop sds-full
"""
import argparse, json, os, tempfile, time
from pathlib import Path

from common import machine
from sdsclip.checkpoint import load_finetuned
from sdsclip.eval.core import CLIPScorer
from sdsclip.reproduce.experiment import Experiment
from sdsclip.reproduce.scores import finetuned, suite_scores, zeroshot_scores

METRICS = ["winoground/Overall/text", "winoground/Relation/text", "aro/vg_relation", "aro/vg_attribution", "zeroshot/shape", "zeroshot/colour"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conditions", nargs="+", default=["only-ft", "sds-backprop", "sds-full"])
    ap.add_argument("--steps", type=int, default=250)
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--out", default="benchmarks/results/miniworld_steps.json")
    a = ap.parse_args()
    os.environ.setdefault("TQDM_DISABLE", "1")
    mini = Experiment.open("table1", "miniworld").preset
    train = mini.train | dict(max_steps=a.steps, save_every=a.every, keep=a.steps // a.every + 1)
    ex = Experiment.open("table1", "miniworld", changes={"train": train, "seeds": [0]}, out=tempfile.mkdtemp(), runs=tempfile.mkdtemp())
    rows, t0 = [], time.perf_counter()
    for cond in a.conditions:
        finetuned(ex, cond, 0)
        ckpts = sorted(f for f in (Path(ex.run_config(cond, 0).out) / "checkpoints").glob("step-*.safetensors") if f.stem[5:].isdigit())
        for f in ckpts:
            m, p, t = load_finetuned(f)
            sc = suite_scores(CLIPScorer(m, p, t, progress=False), ex.roots, ("winoground", "vg")) | zeroshot_scores(m, p, t, ex.roots)
            rows.append({"condition": cond, "step": int(f.stem[5:]), **{k: round(100 * sc[k], 1) for k in METRICS}})
            print(" ".join(str(v) for v in rows[-1].values()), flush=True)
    Path(a.out).write_text(json.dumps({"machine": machine(), "steps": a.steps, "every": a.every, "seconds": round(time.perf_counter() - t0),
                                       "metrics": METRICS, "rows": rows}, indent=1))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
