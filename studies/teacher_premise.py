"""The premise on the full miniworld: the teacher's diffusion score against the pretrained CLIP on the swaps.

Scores the teacher (N shared noise samples, one run per seed of those samples) and the CLIP (deterministic, once) on
the full world's Winoground items (text score overall and per swap kind) and VG-Relation (macro, the official
accuracy, and micro). Prints a table and writes studies/results/miniworld_teacher_premise.json.

    python studies/teacher_premise.py --weights data/miniworld --samples 10 --seeds 0 1 2
"""
import argparse, json, os, statistics, time
from pathlib import Path

from sdsclip.environment import machine_info as machine
from sdsclip.diffusion_score import DiffusionScoreConfig, DiffusionScorer
from sdsclip.eval.aro import evaluate_vg, load_vg
from sdsclip.eval.core import CLIPScorer
from sdsclip.eval.winoground import evaluate_winoground, load_winoground
from sdsclip.miniworld.splits import MINI_CLIP, WORLDS, ensure_world
from sdsclip.models import load_clip, load_teacher

METRICS = ["winoground_text", "Object", "Relation", "Both", "vg_relation_macro", "vg_relation_micro"]


def swap_scores(scorer, wino, vg) -> dict:
    w = evaluate_winoground(scorer, wino)["items"]
    v = evaluate_vg(scorer, vg)
    return {"winoground_text": 100 * float(w.text.mean()),
            **{tag: 100 * float(w.text[w.collapsed_tag == tag].mean()) for tag in ("Object", "Relation", "Both")},
            "vg_relation_macro": 100 * float(v["macro_acc"]), "vg_relation_micro": 100 * float(v["items"].correct.mean())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default="data/miniworld")
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default="studies/results/miniworld_teacher_premise.json")
    a = ap.parse_args()
    os.environ.setdefault("TQDM_DISABLE", "1")
    root, w = ensure_world(WORLDS["full"], progress=False), Path(a.weights)
    wino, vg = load_winoground(root / "winoground"), load_vg(root / "aro", "relation")
    model, preprocess, tokenizer = load_clip(MINI_CLIP, str(w / "clip.safetensors"))
    t0 = time.perf_counter()
    rows = [{"model": "CLIP", "seed": None, **swap_scores(CLIPScorer(model, preprocess, tokenizer, progress=False), wino, vg)}]
    teacher = load_teacher(str(w / "teacher"))
    for seed in a.seeds:
        s = DiffusionScorer(teacher, DiffusionScoreConfig(n_samples=a.samples, seed=seed, progress=False))
        rows.append({"model": "teacher", "seed": seed, **swap_scores(s, wino, vg)})
        print(f"teacher seed {seed}: " + ", ".join(f"{k} {rows[-1][k]:.1f}" for k in METRICS), flush=True)
    teach = [r for r in rows if r["model"] == "teacher"]
    summary = {k: {"teacher_mean": statistics.mean(r[k] for r in teach), "teacher_min": min(r[k] for r in teach),
                   "teacher_max": max(r[k] for r in teach), "clip": rows[0][k]} for k in METRICS}
    print(f"{'metric':20}{'teacher mean':>14}{'[min, max]':>16}{'CLIP':>8}")
    for k, v in summary.items():
        span = f"[{v['teacher_min']:.1f}, {v['teacher_max']:.1f}]"
        print(f"{k:20}{v['teacher_mean']:14.1f}{span:>16}{v['clip']:8.1f}")
    rec = {"command": "python studies/teacher_premise.py " + " ".join(f"--{k} {v}" if not isinstance(v, list) else f"--{k} " + " ".join(map(str, v))
                                                               for k, v in vars(a).items() if k != "out"),
           "weights": str(w), "world": str(root), "items": {"winoground": len(wino), "vg_relation": len(vg)},
           "samples": a.samples, "seeds": a.seeds, "rows": rows, "summary": summary,
           "seconds": round(time.perf_counter() - t0, 1), "machine": machine()}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(rec, indent=2))
    print(f"wrote {a.out} ({rec['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
