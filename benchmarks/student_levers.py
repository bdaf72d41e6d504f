"""Can the miniworld student learn word order under a direct signal? Levers of its pretraining, measured.

Pretrains a student from scratch as `pretrain_clip` does (batch 128, lr 1e-3, weight decay 0.1, 200 warm-up steps,
cosine to zero over `--steps`), with NegCLIP's hard text negatives (`sdsclip.negatives`, the grammar's tagger) as
extra image→text columns from the first step, optionally longer or with a wider text tower and embedding, and
scores it every `--eval-every` steps with the project's evaluators (Winoground text scores per slice, VG-Relation and
VG-Attribution macro accuracy). Nothing of the student sees a test split. Writes a JSON record.

    python benchmarks/student_levers.py --steps 3000 --out benchmarks/results/student_levers_neg_3000.json
    python benchmarks/student_levers.py --steps 2000 --text-width 128 --embed 128 --out ...
"""
import argparse, copy, json, tempfile, time
from dataclasses import replace
from pathlib import Path

import open_clip
import torch

from common import machine
from sdsclip.eval.core import CLIPScorer
from sdsclip.miniworld.baseline import vg_task, winoground_task
from sdsclip.miniworld.pretrain import PretrainConfig, load_split, pretrain_clip
from sdsclip.miniworld.splits import MINI_CLIP, WorldConfig, ensure_world, miniworld_tagger
from sdsclip.negatives import HardNegatives


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
    rec = {"command": "python benchmarks/student_levers.py " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items()),
           "config": cfg, "evals": [], "machine": machine()}
    def score(step):
        if step % a.eval_every == 0: rec["evals"].append({"step": step, **scores(model, pre, tok, root)}); print(rec["evals"][-1], flush=True)
    t0 = time.time()
    rec["curve_every_50_steps"] = pretrain_clip(model, tok, x, caps, replace(PretrainConfig(seed=a.seed), clip_steps=a.steps),
                                                negatives=HardNegatives(miniworld_tagger, seed=a.seed) if a.neg else None, on_step=score)
    rec["seconds"] = round(time.time() - t0)
    Path(a.out).write_text(json.dumps(rec, indent=1))


if __name__ == "__main__":
    main()
