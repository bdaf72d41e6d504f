"""Does NegCLIP move a given miniworld student? The reproduction's positive control, on a student file of your choice.

Fine-tunes the student under the miniworld preset's budget (batch 32, lr 5e-4, 100 steps, LayerNorms unless said;
`--steps` and `--lr` change it for every condition alike) with the reproduction's own conditions (`only-ft`,
`negclip`, `negclip-full`) and seeds, scores every run with its evaluators (Winoground, VG-Relation/Attribution on
the full world's test splits) and the order probes, and prints the positive control's verdict against its targets
(`sdsclip.reproduce.findings.control_sentence`). Writes the rows and the verdict as JSON. A student made by `student_levers.py --save` is the usual input:

    python benchmarks/student_control.py --student /tmp/warm_plain.safetensors --out results/student_control_warm_plain.json
"""
import argparse, json, tempfile, time
from pathlib import Path

import pandas as pd
import torch

from common import machine
from sdsclip.miniworld.probes import order_probe
from sdsclip.miniworld.splits import WorldConfig
from sdsclip.presets import get_preset
from sdsclip.reproduce.experiment import Experiment
from sdsclip.reproduce.findings import ORDER_ONLY, control_sentence, paired_difference
from sdsclip.reproduce.scores import condition_rows, finetuned, load_pretrained, rows_frame
from sdsclip.checkpoint import load_finetuned
from sdsclip.negatives import HardNegatives, swaps


def draw_kind_first(self, captions, u):
    "`HardNegatives.draw` with the kind of swap drawn first (uniform over the kinds a caption has), then one swap of it."
    out = []
    for c, x in zip(captions, u.tolist()):
        by_kind = {}
        for cap, kind in sorted(swaps(self.tagger(c)).items()): by_kind.setdefault(kind, []).append(cap)
        if not by_kind: out.append(None); continue
        kinds = sorted(by_kind); k = min(int(x * len(kinds)), len(kinds) - 1)
        pool = by_kind[kinds[k]]; out.append(pool[min(int((x * len(kinds) - k) * len(pool)), len(pool) - 1)])
    return out


def probe_rows(ex, conditions, seeds):
    "The order probes of the pretrained student and of every fine-tuned run, as rows."
    rows = [(ex.backbone.label, "pretrained", seeds[0], k, v) for k, v in order_probe(*load_pretrained(ex)).items()]
    for seed in seeds:
        for cond in conditions:
            rows += [(ex.backbone.label, cond, seed, k, v) for k, v in order_probe(*load_finetuned(finetuned(ex, cond, seed))).items()]
    return rows_frame(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--student", required=True, help="the student's weights (safetensors, the shipped student's config)")
    ap.add_argument("--conditions", default="only-ft,negclip,negclip-full"); ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--steps", type=int, default=0, help="fine-tuning steps of every condition (default: the preset's 100)")
    ap.add_argument("--lr", type=float, default=0.0, help="fine-tuning learning rate of every condition (default: the preset's 5e-4)")
    ap.add_argument("--draw", choices=("uniform", "kind-first"), default="uniform",
                    help="how a caption's negative is drawn: uniform over its swaps (the library's), or its kind first (a screen)")
    ap.add_argument("--runs", default="", help="runs folder (default: a temporary one)")
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.draw == "kind-first": HardNegatives.draw = draw_kind_first
    student = Path(a.student).resolve()
    if not student.is_file(): raise SystemExit(f"No student at {student}: write one with student_levers.py --save.")
    conditions, seeds = a.conditions.split(","), tuple(int(s) for s in a.seeds.split(","))
    preset = get_preset("miniworld")
    budget = ({"max_steps": a.steps, "epochs": -(-a.steps * preset.train["batch_size"] // WorldConfig().n_train)} if a.steps else {}) | ({"lr": a.lr} if a.lr else {})
    ex = Experiment.open("seeds", "miniworld", changes={"train": preset.train | {"pretrained": str(student)} | budget},
                         runs=a.runs or tempfile.mkdtemp(prefix="sdsclip-control-"))
    t0 = time.time()
    rows = condition_rows(ex, ["pretrained", *conditions], ("winoground", "vg"), seeds)
    rows = pd.concat([rows, probe_rows(ex, conditions, seeds)], ignore_index=True)
    diffs = {f"{c} - only-ft": {name: dict(zip(("mean", "lo", "hi", "seeds"), paired_difference(rows, c, "only-ft", m)))
                                for m, name in ORDER_ONLY.items()} for c in conditions if c != "only-ft"}
    means = rows.groupby(["condition", "metric"]).value.mean().unstack().round(4)
    print(means[[*ORDER_ONLY, "winoground/Overall/text", "aro/vg_attribution", *[c for c in means if c.startswith("probe/")]]].to_string())
    verdict = control_sentence(rows)
    print(json.dumps(diffs, indent=1)); print(verdict)
    rec = {"command": "python benchmarks/student_control.py " + " ".join(f"--{k} {v}" for k, v in vars(a).items() if v not in ("", 0, 0.0, "uniform")),
           "student": str(student), "differences_points": diffs, "verdict": verdict, "seconds": round(time.time() - t0),
           "rows": rows.to_dict("records"), "machine": machine()}
    Path(a.out).write_text(json.dumps(rec, indent=1, default=float))


if __name__ == "__main__":
    main()
