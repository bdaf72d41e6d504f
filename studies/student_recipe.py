"""How much word order does the miniworld student's recipe leave it with? The recipe's curriculum, measured.

Runs the student's recipe (`sdsclip.miniworld.pretrain.pretrain_student`: the curriculum, then contrastive steps) with
the curriculum's image steps, text steps and axes given, from the same seeds as `sdsclip miniworld pretrain`, and every
`--every` contrastive steps scores the student on a validation world (a world drawn from seed 1: none of its items
is a test item of the reproduction's world) with the reproduction's evaluators: Winoground text score (Both and
Object) and VG-Relation, per axis (left/right, above/below), and the order probes. Writes a JSON record.

    python studies/student_recipe.py --image 200 --text 200 --axes left --out studies/results/student_recipe_left_200_200.json
    python studies/student_recipe.py --image 74 --text 200 --axes left,top --steps 500 --out studies/results/student_recipe_both_74.json
    python studies/student_recipe.py --score data/miniworld/clip.safetensors --out studies/results/student_recipe_shipped.json

`--score FILE` trains nothing: it scores a student file on the validation world and on the reproduction's full world
(what the reproduction's `pretrained` row reads), per axis.
"""
import argparse, json, time
from dataclasses import replace
from pathlib import Path

import torch

from sdsclip.environment import machine_info
from sdsclip.eval.aro import evaluate_vg, load_vg
from sdsclip.eval.core import CLIPScorer
from sdsclip.eval.winoground import evaluate_winoground, load_winoground
from sdsclip.miniworld.pretrain import PretrainConfig, load_split, new_mini_clip, order_curriculum, pretrain_clip, save_mini_clip
from sdsclip.miniworld.probes import order_probe
from sdsclip.miniworld.splits import MINI_CLIP, WorldConfig, ensure_world
from sdsclip.models import load_clip
from sdsclip.miniworld.world import parse_caption

VALIDATION = WorldConfig(seed=1, n_train=96, n_winoground=300, n_aro=500, n_order=12, n_sugarcrepe=4, n_zeroshot=3)
HORIZONTAL = ("left of", "right of")


def scores(model, preprocess, tokenizer, root: Path) -> dict:
    "Winoground text score (Overall, Object, Both, Both on left/right-only items and on the rest) and VG-Relation (macro, per relation), %; the probes."
    was = model.training; model.eval()
    s = CLIPScorer(model, preprocess, tokenizer, progress=False)
    wino = load_winoground(root / "winoground")
    w = evaluate_winoground(s, wino)["items"]
    lr_only = {it["id"]: all(f[1] in HORIZONTAL for f in parse_caption(it["caption_0"])) for it in wino}
    both = w[w.collapsed_tag == "Both"]
    vg = evaluate_vg(s, load_vg(root / "aro", "relation"))
    out = {"winoground": 100 * w.text.mean(), "object": 100 * w.text[w.collapsed_tag == "Object"].mean(), "both": 100 * both.text.mean(),
           "both left/right": 100 * both.text[both.id.map(lr_only)].mean(), "both other": 100 * both.text[~both.id.map(lr_only)].mean(),
           "vg_relation": 100 * vg["macro_acc"], **{f"vg {g}": 100 * x.correct.mean() for g, x in vg["items"].groupby("group")},
           **{k: 100 * v for k, v in order_probe(model, preprocess, tokenizer).items()}}
    model.train(was)
    return {k: round(float(v), 1) for k, v in out.items()}


def score_file(path: Path, out: Path):
    "Score the student at `path` on the validation world and on the reproduction's full world; write the record to `out`."
    model, preprocess, tokenizer = load_clip(MINI_CLIP, str(path))
    worlds = {"validation": ensure_world(VALIDATION, progress=False), "full": ensure_world(WorldConfig(), progress=False)}
    rec = {"command": f"python studies/student_recipe.py --score {path} --out {out}", "student": str(path),
           "scores": {name: scores(model, preprocess, tokenizer, root) for name, root in worlds.items()}, "machine": machine_info()}
    print(json.dumps(rec["scores"], indent=1))
    out.write_text(json.dumps(rec, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", type=int, default=PretrainConfig.warm_image, help="curriculum steps of the image tower")
    ap.add_argument("--text", type=int, default=PretrainConfig.warm_text, help="curriculum steps of the text tower")
    ap.add_argument("--axes", default=",".join(PretrainConfig.warm_axes), help="the curriculum's axes: left, top or left,top")
    ap.add_argument("--steps", type=int, default=PretrainConfig.clip_steps, help="contrastive steps after the curriculum")
    ap.add_argument("--every", type=int, default=100); ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--save", default="", help="write the student at every score to <save>-<step>.safetensors")
    ap.add_argument("--score", default="", help="score this student file on the validation and the full world instead of training one")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.score: return score_file(Path(a.score), Path(a.out))
    c = replace(PretrainConfig(), warm_image=a.image, warm_text=a.text, warm_axes=tuple(a.axes.split(",")), clip_steps=a.steps, threads=a.threads)
    root, val = ensure_world(WorldConfig(), progress=False), ensure_world(VALIDATION, progress=False)
    x, _, captions = load_split(root / "train", new_mini_clip(c.seed)[1])
    t0 = time.time()
    torch.manual_seed(c.seed)  # pretrain_student's order: the same student as `sdsclip miniworld pretrain --student-only`
    model, preprocess, tokenizer = new_mini_clip(c.seed)
    rec = {"command": "python studies/student_recipe.py " + " ".join(f"--{k} {v}" for k, v in vars(a).items() if v != ""),
           "config": {k: v for k, v in vars(c).items() if k.startswith(("seed", "clip_", "warm"))}, "validation_world": VALIDATION.key(),
           "curriculum": order_curriculum(model, tokenizer, x, captions, c, progress=False), "evals": [], "machine": machine_info()}
    def score(step):
        if step % a.every and step != a.steps: return
        rec["evals"].append({"step": step, **scores(model, preprocess, tokenizer, val), "seconds": round(time.time() - t0)})
        print(rec["evals"][-1], flush=True)
        if a.save: save_mini_clip(model.eval(), Path(f"{a.save}-{step}.safetensors")); model.train()
    pretrain_clip(model, tokenizer, x, captions, c, progress=False, on_step=score)
    Path(a.out).write_text(json.dumps(rec, indent=1))


if __name__ == "__main__":
    main()
