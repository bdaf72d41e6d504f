"""Batched shared-sample diffusion scorer against the naive loop over (image, caption, sample), same seeds.

    python benchmarks/diffusion_score.py --arch tiny --items 4 --n-samples 50
    python benchmarks/diffusion_score.py --arch sd14 --items 1 --n-samples 2

Prints the largest score difference and the speed-up measured in this run; writes JSON.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, models, winoground_items  # noqa: E402

from sdsclip.diffusion_score import DiffusionScoreConfig, DiffusionScorer, naive_diffusion_scores
from sdsclip.eval.winoground import winoground_groups


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", default="tiny", choices=["tiny", "sd14"])
    p.add_argument("--items", type=int, default=4)
    p.add_argument("--n-samples", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    _, _, _, teacher = models(a.arch)
    groups = winoground_groups(winoground_items(a.items))
    cfg = DiffusionScoreConfig(n_samples=a.n_samples, batch_size=a.batch_size, progress=False)
    scorer = DiffusionScorer(teacher, cfg)
    scorer.score_groups(groups[:1])  # warm-up
    scorer.conditioner.cache.clear()
    t0 = time.perf_counter(); batched = scorer.score_groups(groups); t_batched = time.perf_counter() - t0
    t0 = time.perf_counter(); naive = [naive_diffusion_scores(teacher, im, caps, cfg) for im, caps in groups]
    t_naive = time.perf_counter() - t0
    diff = max((b - n).abs().max().item() for b, n in zip(batched, naive))
    same_winner = all(torch.equal(b.argmax(1), n.argmax(1)) for b, n in zip(batched, naive))
    r = {"arch": a.arch, "items": a.items, "n_samples": a.n_samples, "unet_batch": a.batch_size,
         "batched_seconds": round(t_batched, 3), "naive_seconds": round(t_naive, 3), "speedup": round(t_naive / t_batched, 2),
         "max_abs_score_difference": diff, "same_argmax": same_winner, "machine": machine(), "command": " ".join(sys.argv)}
    print(json.dumps(r, indent=2))
    out = Path(a.out or f"benchmarks/results/diffusion_score_{a.arch}.json")
    out.parent.mkdir(parents=True, exist_ok=True); out.write_text(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
