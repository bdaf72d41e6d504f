"""Can the miniworld student learn word order under a direct signal? Levers of its pretraining, measured.

Pretrains a student from scratch as `pretrain_clip` does (batch 128, lr 1e-3, weight decay 0.1, 200 warm-up steps,
cosine to zero over `--steps`), with NegCLIP's hard text negatives (`sdsclip.negatives`, the grammar's tagger) as
extra image→text columns from the first step, optionally longer or with a wider text tower and embedding, and
scores it every `--eval-every` steps with the project's evaluators (Winoground text scores per slice, VG-Relation and
VG-Attribution macro accuracy). Nothing of the student sees a test split. Writes a JSON record.

    python benchmarks/student_levers.py --steps 3000 --out benchmarks/results/student_levers_neg_3000.json
    python benchmarks/student_levers.py --steps 2000 --text-width 128 --embed 128 --out ...
"""
import argparse, copy, json, math, tempfile, time
from pathlib import Path

import open_clip
import torch
from open_clip.loss import ClipLoss

from common import machine
from sdsclip.eval.core import CLIPScorer
from sdsclip.miniworld.baseline import vg_task, winoground_task
from sdsclip.miniworld.pretrain import PretrainConfig, load_split, lr_lambda, pick_captions
from sdsclip.miniworld.splits import MINI_CLIP, WorldConfig, ensure_world, miniworld_tagger
from sdsclip.negatives import HardNegatives, negclip_loss


def student_config(embed: int, text_width: int) -> tuple[str, dict]:
    "The name and config of `sdsclip-mini` with another embedding and text width (one head per 32 channels, at least 2)."
    cfg = copy.deepcopy(open_clip.get_model_config(MINI_CLIP))
    cfg["embed_dim"], cfg["text_cfg"]["width"], cfg["text_cfg"]["heads"] = embed, text_width, max(2, text_width // 32)
    return f"lever-{embed}-{text_width}", cfg


def scores(model, pre, tok, root: Path) -> dict:
    model.eval()
    s = CLIPScorer(model, pre, tok, progress=False)
    m = winoground_task(root, s) | vg_task("relation")(root, s) | vg_task("attribution")(root, s)
    model.train()
    return {k: round(v, 4) for k, v in m.items() if k.startswith("aro") or k.endswith("text") or "Both" in k}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--neg", type=int, default=1, help="1: hard text negatives from the first step; 0: plain ClipLoss")
    ap.add_argument("--text-width", type=int, default=64); ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--eval-every", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0); ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    name, cfg = student_config(a.embed, a.text_width)
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / f"{name}.json").write_text(json.dumps(cfg))
        open_clip.add_model_config(d)
        torch.manual_seed(a.seed)
        model, _, pre = open_clip.create_model_and_transforms(name, pretrained=None)
    tok = open_clip.get_tokenizer(MINI_CLIP)
    root = ensure_world(WorldConfig())
    x, _, caps = load_split(root / "train", pre)
    c = PretrainConfig(seed=a.seed)
    g = torch.Generator().manual_seed(c.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=c.clip_lr, weight_decay=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(c.warmup, a.steps))
    neg, loss_fn = HardNegatives(miniworld_tagger, seed=a.seed), ClipLoss()
    rec = {"command": "python benchmarks/student_levers.py " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items()),
           "config": cfg, "curve_every_50_steps": [], "evals": [], "machine": machine()}
    t0 = time.time(); model.train()
    for step in range(a.steps):
        idx = torch.randint(len(x), (c.clip_batch,), generator=g)
        cs = pick_captions(caps, idx, g)
        img, txt, scale = model(x[idx], tok(cs))
        if a.neg:
            drawn = neg.draw(cs, neg.uniforms(step, len(cs)))
            valid = torch.tensor([d is not None for d in drawn])
            loss = negclip_loss(img, txt, model.encode_text(tok([d or "" for d in drawn]), normalize=True), valid, scale, loss_fn)
        else: loss = loss_fn(img, txt, scale)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step()
        with torch.no_grad(): model.logit_scale.clamp_(0, math.log(100))
        if step % 50 == 0:
            rec["curve_every_50_steps"].append(round(loss.item(), 4)); print(step, round(loss.item(), 4), f"{time.time() - t0:.0f} s", flush=True)
        if (step + 1) % a.eval_every == 0:
            rec["evals"].append({"step": step + 1, **scores(model, pre, tok, root)}); print(rec["evals"][-1], flush=True)
    rec["seconds"] = round(time.time() - t0)
    Path(a.out).write_text(json.dumps(rec, indent=1))


if __name__ == "__main__":
    main()
