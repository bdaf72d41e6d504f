"""Can the miniworld student's towers hold which object is on the left? Trained directly, they can.

The student's ViT (`sdsclip-mini`, randomly initialised) with a linear head, trained with cross-entropy to name the
colour of the left object of two-object left/right scenes (a pool drawn from its own random stream), scored on the
order probe's held-out scenes between the two colours present (chance 50%). Prints held-out and training accuracy
every 100 steps and writes a JSON record. `--tower text` trains the text tower the same way on each scene's caption or
its converse (one of the two at random), scored on the probe's held-out captions.

    python studies/student_order_capacity.py --pool 4000 --steps 300 --out results/student_order_capacity.json
"""
import argparse, json, random, time

import torch
import torch.nn.functional as F

from sdsclip.environment import machine_info as machine
from sdsclip.miniworld.pretrain import new_mini_clip
from sdsclip.miniworld.probes import left_colour, pairwise_accuracy, probe_captions, probe_scenes, right_colour
from sdsclip.miniworld.world import COLOURS, caption, converse, render, sample_scene


def labels(scenes) -> tuple[torch.Tensor, torch.Tensor]:
    "The colour ids of each scene's left and right object."
    names = list(COLOURS)
    return tuple(torch.tensor([names.index(fn(s)) for s in scenes]) for fn in (left_colour, right_colour))


def train_head(module, encode, params, dim: int, train: tuple, test: tuple, steps: int, seed: int, every: int) -> list[dict]:
    """Train `encode` (over `params` of `module`) with a fresh linear head to name the left colour of `train` (inputs,
    left, right); held-out and training pairwise accuracy (left against right) every `every` steps, `module` in eval mode."""
    (x, left, right), (xt, lt, rt) = train, test
    head = torch.nn.Linear(dim, len(COLOURS))
    opt = torch.optim.AdamW([*params, *head.parameters()], lr=1e-3, weight_decay=0.1)
    g, evals, t0, was = torch.Generator().manual_seed(seed), [], time.time(), module.training
    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            module.eval()
            with torch.no_grad():
                e = {"step": step, "held-out": pairwise_accuracy(head(encode(xt)), lt, rt),
                     "train": pairwise_accuracy(head(encode(x[:500])), left[:500], right[:500]), "seconds": round(time.time() - t0)}
            evals.append(e); print(e, flush=True)
        if step == steps: break
        module.train()
        idx = torch.randint(len(x), (128,), generator=g)
        loss = F.cross_entropy(head(encode(x[idx])), left[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    module.train(was)
    return evals


def left_right_scenes(stream: str, pool: int):
    rng = random.Random(stream)
    return rng, [sample_scene(rng, 2, ("left of", "right of")) for _ in range(pool)]


def train_left_head(vit, pre, pool: int, steps: int, seed: int = 0, every: int = 100) -> list[dict]:
    """Train the image tower `vit` in place, with a fresh linear head, to name the left object's colour of `pool`
    two-object left/right scenes (batch 128, lr 1e-3); returns held-out and training pairwise accuracy every `every` steps."""
    _, scenes = left_right_scenes(f"order-capacity/{seed}", pool)
    images = lambda ss: torch.stack([pre(render(s)) for s in ss])
    test = probe_scenes(500, seed=1)
    return train_head(vit, vit, list(vit.parameters()), vit.output_dim, (images(scenes), *labels(scenes)),
                      (images(test), *labels(test)), steps, seed, every)


def train_left_head_text(model, tokenizer, pool: int, steps: int, seed: int = 0, every: int = 100) -> list[dict]:
    """Train the text tower of `model` in place, with a fresh linear head, to name the left object's colour from the
    caption or the converse caption of `pool` two-object left/right scenes (one of the two at random)."""
    rng, scenes = left_right_scenes(f"order-capacity-text/{seed}", pool)
    x = tokenizer([caption(s) if rng.random() < 0.5 else converse(s) for s in scenes])
    test = probe_scenes(500, seed=1)
    params = [p for n, p in model.named_parameters() if not n.startswith("visual.") and n != "logit_scale"]
    return train_head(model, model.encode_text, params, model.text_projection.shape[1], (x, *labels(scenes)),
                      (tokenizer(probe_captions(test, seed=1)), *labels(test)), steps, seed, every)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=int, default=4000); ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tower", choices=("image", "text"), default="image"); ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    model, pre, tok = new_mini_clip(a.seed)
    evals = (train_left_head(model.visual, pre, a.pool, a.steps, a.seed) if a.tower == "image"
             else train_left_head_text(model, tok, a.pool, a.steps, a.seed))
    rec = {"command": "python studies/student_order_capacity.py " + " ".join(f"--{k} {v}" for k, v in vars(a).items()),
           "evals": evals, "machine": machine()}
    open(a.out, "w").write(json.dumps(rec, indent=1))


if __name__ == "__main__":
    main()
