"""Can the miniworld student learn word order under a direct signal? Levers of its pretraining, measured.

Pretrains a student from scratch as `pretrain_clip` does (batch 128, lr 1e-3, weight decay 0.1, 200 warm-up steps,
cosine to zero over `--steps`), with NegCLIP's hard text negatives (`sdsclip.negatives`, the grammar's tagger) as
extra image→text columns from the first step, optionally longer or with a wider text tower and embedding, and
scores it every `--eval-every` steps with the project's evaluators (Winoground text scores per slice, VG-Relation and
VG-Attribution macro accuracy). Nothing of the student sees a test split. Writes a JSON record.

    python studies/student_levers.py --steps 3000 --out studies/results/student_levers_neg_3000.json
    python studies/student_levers.py --steps 2000 --text-width 128 --embed 128 --out ...
    python studies/student_levers.py --steps 1500 --partners 0.5 --out ...

`--partners p` gives a share p of each batch to pairs of an image and its object-swapped partner (the two objects of
a clause exchanged, as Winoground's Both items are made), drawn from a pool of such pairs rendered from a seed of
their own, so the contrastive loss sees captions with the same words in another order side by side in both
directions. Every score also reports the linear order probes of `sdsclip.miniworld.probes`.

`--warm-left n` is a curriculum: before the contrastive steps, the image tower is trained for n steps, with a linear
head, to name the left object's colour of two-object left/right scenes from a stream of their own
(`student_order_capacity.train_left_head`), so contrastive pretraining starts from an image embedding that knows
which object is on the left. `--warm-left-text n` does the same for the text tower, on each scene's caption or its
converse (one at random). With `--save`, the weights are also written at every score (`<save>-<step>.safetensors`).
"""
import argparse, copy, json, random, tempfile, time
from dataclasses import replace
from pathlib import Path

import open_clip
import torch

from sdsclip.environment import machine_info as machine
from student_order_capacity import train_left_head, train_left_head_text
from sdsclip.eval.core import CLIPScorer
from sdsclip.miniworld.baseline import vg_task, winoground_task
from sdsclip.miniworld.probes import order_probe
from sdsclip.miniworld.pretrain import PretrainConfig, load_split, pretrain_clip, save_mini_clip
from sdsclip.miniworld.splits import MINI_CLIP, WorldConfig, ensure_world, miniworld_tagger
from sdsclip.miniworld.world import caption, converse, render, swap_pair
from sdsclip.negatives import HardNegatives


def student_config(embed: int, text_width: int) -> tuple[str, dict]:
    "The name and config of `sdsclip-mini` with another embedding and text width (one head per 32 channels, at least 2)."
    cfg = copy.deepcopy(open_clip.get_model_config(MINI_CLIP))
    cfg["embed_dim"], cfg["text_cfg"]["width"], cfg["text_cfg"]["heads"] = embed, text_width, max(2, text_width // 32)
    return f"lever-{embed}-{text_width}", cfg


def scores(model, pre, tok, root: Path) -> dict:
    model.eval()
    s = CLIPScorer(model, pre, tok, progress=False)
    m = winoground_task(root, s) | vg_task("relation")(root, s) | vg_task("attribution")(root, s) | order_probe(model, pre, tok)
    model.train()
    return {k: round(v, 4) for k, v in m.items() if k.startswith("aro") or k.endswith("text") or "Both" in k or "probe" in k}


def partner_pool(n_pairs: int, pre, seed: int) -> tuple[torch.Tensor, list[list[str]]]:
    "`n_pairs` scenes and their object swaps (rows 2k and 2k+1), from a random stream no split uses, with their captions."
    rng, ims, caps = random.Random(f"pretrain-partners/{seed}"), [], []
    for _ in range(n_pairs):
        for s in swap_pair(rng, "object", rng.choice((2, 3))):
            ims.append(pre(render(s))); caps.append(list(dict.fromkeys([caption(s), converse(s)])))
    return torch.stack(ims), caps


def partner_sampler(n_train: int, n_pairs: int, share: float):
    "Batches of `n` images: round(share·n/2) partner pairs (indices after the training split's), the rest uniform."
    def sample(g, n):
        k = round(share * n / 2)
        pairs = n_train + 2 * torch.randint(n_pairs, (k,), generator=g)
        return torch.cat([torch.randint(n_train, (n - 2 * k,), generator=g), pairs, pairs + 1])
    return sample


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--neg", type=int, default=1, help="1: hard text negatives from the first step; 0: plain ClipLoss")
    ap.add_argument("--text-width", type=int, default=64); ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--eval-every", type=int, default=1000)
    ap.add_argument("--partners", type=float, default=0.0, help="share of each batch given to object-swapped pairs")
    ap.add_argument("--n-pairs", type=int, default=4000, help="pairs in the partner pool")
    ap.add_argument("--warm-left", type=int, default=0, help="steps of supervised left-object training of the image tower first")
    ap.add_argument("--warm-left-text", type=int, default=0, help="steps of supervised left-object training of the text tower first")
    ap.add_argument("--save", default="", help="where to write the student's weights (safetensors)")
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
    sample = None
    if a.partners:
        px, pcaps = partner_pool(a.n_pairs, pre, a.seed)
        sample, x, caps = partner_sampler(len(x), a.n_pairs, a.partners), torch.cat([x, px]), caps + pcaps
    rec = {"command": "python studies/student_levers.py " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items()),
           "config": cfg, "evals": [], "machine": machine()}
    def score(step):
        if step % a.eval_every: return
        rec["evals"].append({"step": step, **scores(model, pre, tok, root)}); print(rec["evals"][-1], flush=True)
        if a.save and 0 < step < a.steps: save_mini_clip(model.eval(), Path(a.save).with_name(f"{Path(a.save).stem}-{step}.safetensors")); model.train()
    t0 = time.time()
    if a.warm_left: rec["warm_left"] = train_left_head(model.visual, pre, 4000, a.warm_left, a.seed)
    if a.warm_left_text: rec["warm_left_text"] = train_left_head_text(model, tok, 4000, a.warm_left_text, a.seed)
    if a.warm_left or a.warm_left_text: score(0)
    rec["curve_every_50_steps"] = pretrain_clip(model, tok, x, caps, replace(PretrainConfig(seed=a.seed), clip_steps=a.steps),
                                                negatives=HardNegatives(miniworld_tagger, seed=a.seed) if a.neg else None, on_step=score,
                                                sample=sample)
    rec["seconds"] = round(time.time() - t0)
    if a.save:
        save_mini_clip(model.eval(), Path(a.save))
    Path(a.out).write_text(json.dumps(rec, indent=1))


if __name__ == "__main__":
    main()
