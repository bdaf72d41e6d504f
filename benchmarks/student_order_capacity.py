"""Can the miniworld student's image tower hold which object is on the left? Trained directly, it can.

The student's ViT (`sdsclip-mini`, randomly initialised) with a linear head, trained with cross-entropy to name the
colour of the left object of two-object left/right scenes (a pool drawn from its own random stream), scored on the
order probe's held-out scenes between the two colours present (chance 50%). Prints held-out and training accuracy
every 100 steps and writes a JSON record.

    python benchmarks/student_order_capacity.py --pool 4000 --steps 300 --out results/student_order_capacity.json
"""
import argparse, json, random, time

import torch
import torch.nn.functional as F

from common import machine
from sdsclip.miniworld.pretrain import new_mini_clip
from sdsclip.miniworld.probes import left_colour, pairwise_accuracy, probe_scenes, right_colour
from sdsclip.miniworld.world import COLOURS, render, sample_scene


def tensors(scenes, pre):
    names = list(COLOURS)
    ids = lambda fn: torch.tensor([names.index(fn(s)) for s in scenes])
    return torch.stack([pre(render(s)) for s in scenes]), ids(left_colour), ids(right_colour)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=int, default=4000); ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    model, pre, _ = new_mini_clip(a.seed)
    vit, head = model.visual, torch.nn.Linear(model.visual.output_dim, len(COLOURS))
    rng = random.Random(f"order-capacity/{a.seed}")
    x, left, right = tensors([sample_scene(rng, 2, ("left of", "right of")) for _ in range(a.pool)], pre)
    xt, lt, rt = tensors(probe_scenes(500, seed=1), pre)
    opt = torch.optim.AdamW([*vit.parameters(), *head.parameters()], lr=1e-3, weight_decay=0.1)
    g, rec, t0 = torch.Generator().manual_seed(a.seed), {"command": "python benchmarks/student_order_capacity.py " + " ".join(
        f"--{k} {v}" for k, v in vars(a).items()), "evals": [], "machine": machine()}, time.time()
    for step in range(a.steps + 1):
        if step % 100 == 0:
            vit.eval()
            with torch.no_grad():
                e = {"step": step, "held-out": pairwise_accuracy(head(vit(xt)), lt, rt),
                     "train": pairwise_accuracy(head(vit(x[:500])), left[:500], right[:500]), "seconds": round(time.time() - t0)}
            vit.train(); rec["evals"].append(e); print(e, flush=True)
        if step == a.steps: break
        idx = torch.randint(len(x), (128,), generator=g)
        loss = F.cross_entropy(head(vit(x[idx])), left[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    open(a.out, "w").write(json.dumps(rec, indent=1))


if __name__ == "__main__":
    main()
