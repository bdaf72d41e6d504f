"""What fine-tuning budget lets the positive control move a miniworld student? The control calibrated alone.

Fine-tunes a student under the miniworld preset with the reproduction's own conditions (by default `only-ft-full` and
`negclip-img-full`, and `only-ft` and `negclip-img` on the LayerNorms) at the budget given (steps, the LayerNorm
learning rate, the full-weight learning rate), scores every run on the full world's Winoground and VG-Relation with
the reproduction's evaluators, and prints each condition against the Only-FT that trains the same weights, paired
over seeds with 95% intervals, and the control's verdict (`sdsclip.reproduce.findings.control_sentence`). By default
nothing of SDS-CLIP is run: the budget is chosen on the control alone. Once it is fixed, `--conditions
only-ft,sds-backprop` (or `only-ft-full,sds-full`) measures SDS-CLIP against its matched Only-FT at that budget.
Writes the rows and the verdict as JSON.

    python studies/control_budget.py --student data/miniworld/clip.safetensors --steps 100 --full-lr 1e-5 \\
        --out studies/results/control_budget_100_1e-5.json
"""
import argparse, json, tempfile, time
from pathlib import Path

import torch

from sdsclip.environment import machine_info
from sdsclip.miniworld.splits import WorldConfig
from sdsclip.presets import get_preset
from sdsclip.reproduce.experiment import Experiment
from sdsclip.reproduce.findings import ORDER_ONLY, control_sentence, paired_difference
from sdsclip.reproduce.runs import matched_baseline
from sdsclip.reproduce.scores import condition_rows


def budget(steps: int, lr: float, full_lr: float) -> dict:
    "The preset changes of a budget: steps (and the epochs they need), the LayerNorms' and every weight's learning rate."
    p = get_preset("miniworld")
    train = p.train | ({"max_steps": steps, "epochs": -(-steps * p.train["batch_size"] // WorldConfig().n_train)} if steps else {})
    return {"train": train | ({"lr": lr} if lr else {}), "full_weights": p.full_weights | ({"lr": full_lr} if full_lr else {})}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--student", default="", help="the student's weights (default: the shipped one)")
    ap.add_argument("--conditions", default="only-ft-full,negclip-img-full,only-ft,negclip-img")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--steps", type=int, default=0, help="fine-tuning steps of every condition (default: the preset's)")
    ap.add_argument("--lr", type=float, default=0.0, help="the LayerNorms' learning rate (default: the preset's)")
    ap.add_argument("--full-lr", type=float, default=0.0, help="every weight's learning rate (default: the preset's)")
    ap.add_argument("--runs", default="", help="runs folder (default: a temporary one)")
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    conditions, seeds = a.conditions.split(","), tuple(int(s) for s in a.seeds.split(","))
    changes = budget(a.steps, a.lr, a.full_lr)
    if a.student: changes["train"]["pretrained"] = str(Path(a.student).resolve())
    ex = Experiment.open("seeds", "miniworld", changes=changes, runs=a.runs or tempfile.mkdtemp(prefix="sdsclip-budget-"))
    t0 = time.time()
    rows = condition_rows(ex, ["pretrained", *conditions], ("winoground", "vg"), seeds)
    diffs = {f"{c} - {matched_baseline(c)}": {name: dict(zip(("mean", "lo", "hi", "seeds"), paired_difference(rows, c, matched_baseline(c), m)))
                                              for m, name in ORDER_ONLY.items()} for c in conditions if matched_baseline(c) in conditions}
    means = rows.groupby(["condition", "metric"]).value.mean().unstack().round(4)
    print(means[[*ORDER_ONLY, "winoground/Overall/text", "aro/vg_attribution"]].to_string())
    verdict = control_sentence(rows)
    print(json.dumps(diffs, indent=1)); print(verdict)
    rec = {"command": "python studies/control_budget.py " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items() if v not in ("", 0, 0.0)),
           "student": a.student or "shipped", "budget": changes, "differences_points": diffs, "verdict": verdict,
           "seconds": round(time.time() - t0), "rows": rows.to_dict("records"), "machine": machine_info()}
    Path(a.out).write_text(json.dumps(rec, indent=1, default=float))


if __name__ == "__main__":
    main()
