"""What the levers of a faster miniworld reproduction would buy, measured in one run on one thread.

For each lever, the seconds it could save against the seconds of the step or pass it sits in:
- decoding and preprocessing a training batch (a tensor cache of the 8,000 PNGs would save it), against a step;
- the teacher's text encoder on a batch of captions (caption states computed once per world would save it), against
  an SDS step;
- CLIP's scoring batch (64 against 256) on Winoground and VG;
- the UNet's throughput at several batches (the diffusion score's batch);
- world generation: drawing and saving the images against the whole (the rest is sampling the scenes, sequential by seed).
Prints a table and writes benchmarks/results/reproduction_levers.json.

    python benchmarks/reproduction_levers.py [--world ci] [--out FILE]
"""
import argparse, json, os, random, tempfile, time
from pathlib import Path

import torch

from common import machine
from sdsclip.eval.core import CLIPScorer
from sdsclip.miniworld.splits import SPLITS, WORLDS, write_split
from sdsclip.miniworld.world import render, sample_scene
from sdsclip.objective import CaptionConditioner
from sdsclip.reproduce.experiment import Experiment
from sdsclip.reproduce.scores import load_pretrained, suite_scores
from sdsclip.train import Training, batch_loader, train_step


def seconds(f, n=1):
    t = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter() - t) / n


def step_costs(ex, condition, steps=10):
    "(seconds per step, seconds to load a batch, seconds of the teacher's text encoder per batch) of `condition`."
    tr = Training(ex.run_config(condition, 0))
    it = iter(batch_loader(tr, 0, 0))
    load = seconds(lambda: next(it), steps)
    batches = [next(it) for _ in range(steps + 2)]
    train_step(tr, batches[0]); train_step(tr, batches[1])
    step = seconds(lambda: train_step(tr, batches.pop()), steps)
    enc = CaptionConditioner(tr.teacher).encode
    text = seconds(lambda: enc(batches[0].captions), steps)
    return step, load, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", default="full", choices=list(WORLDS), help="the world whose generation is timed (ci: the tests' smaller one)")
    ap.add_argument("--out", default="benchmarks/results/reproduction_levers.json")
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault("TQDM_DISABLE", "1")
    ex = Experiment.open("table1", "miniworld", out=tempfile.mkdtemp(), runs=tempfile.mkdtemp())
    ex.roots
    r = {"machine": machine(), "threads": 1}
    for cond in ("only-ft", "lam=1"):
        step, load, text = step_costs(ex, cond)
        r[cond] = {"step_s": step, "batch_load_s": load, "teacher_text_s": text}
    model, pre, tok = load_pretrained(ex)
    for bs in (64, 256):
        sc = CLIPScorer(model, pre, tok, batch_size=bs, progress=False)
        r[f"clip_scoring_batch{bs}_s"] = seconds(lambda: suite_scores(sc, ex.roots, ("winoground", "vg")))
    teacher = ex.teacher
    cond = CaptionConditioner(teacher).encode(["a small red circle left of a large blue square"])
    for b in (32, 64, 256):
        lat, t = torch.randn(b, *teacher.latent_shape), torch.randint(0, 1000, (b,))
        with torch.no_grad():
            teacher.unet(lat, t, cond.expand(b, -1, -1))
            r[f"unet_forwards_per_s_batch{b}"] = b / seconds(lambda: teacher.unet(lat, t, cond.expand(b, -1, -1)), 3)
    c, root = WORLDS[a.world], Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    for split in SPLITS:
        (root / split).mkdir(parents=True)
        write_split(split, root / split, c, progress=False)
    r["world_generation_s"] = time.perf_counter() - t0
    r["world_images"] = sum(1 for _ in root.rglob("*.png"))
    rng = random.Random(0)
    scenes = [sample_scene(rng) for _ in range(500)]
    r["draw_and_save_per_image_s"] = seconds(lambda: [render(s).save(root / "x.png", optimize=False, compress_level=1) for s in scenes]) / 500
    lines = [f"{'lever':58} {'saves':>9} {'of':>9} {'share':>6}"]
    for cond, name in (("only-ft", "Only-FT"), ("lam=1", "SDS backprop")):
        x = r[cond]
        lines.append(f"{'decode + preprocess a batch, ' + name + ' step':58} {x['batch_load_s']:8.4f}s {x['step_s']:8.4f}s {x['batch_load_s'] / x['step_s']:6.1%}")
    x = r["lam=1"]
    lines.append(f"{'teacher text encoder per batch, SDS backprop step':58} {x['teacher_text_s']:8.4f}s {x['step_s']:8.4f}s {x['teacher_text_s'] / x['step_s']:6.1%}")
    lines.append(f"{'CLIP scoring Winoground + VG, batch 256 against 64':58} {r['clip_scoring_batch256_s']:8.2f}s {r['clip_scoring_batch64_s']:8.2f}s "
                 f"{r['clip_scoring_batch256_s'] / r['clip_scoring_batch64_s']:6.2f}x")
    draw = r["draw_and_save_per_image_s"] * r["world_images"]
    lines.append(f"{'world generation: drawing and saving its images':58} {draw:8.1f}s {r['world_generation_s']:8.1f}s {draw / r['world_generation_s']:6.1%}")
    lines.append("UNet forwards/s at batch 32 / 64 / 256: " + " / ".join(f"{r[f'unet_forwards_per_s_batch{b}']:.0f}" for b in (32, 64, 256)))
    print("\n".join(lines))
    r["world"] = a.world
    out = Path(a.out)
    out.write_text(json.dumps(r, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
