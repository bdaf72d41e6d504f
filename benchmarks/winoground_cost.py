"""Seconds per Winoground item: CLIP scoring against the diffusion score with N samples, in one run (Fig. 3).

    python benchmarks/winoground_cost.py --arch tiny --n-samples 50
    python benchmarks/winoground_cost.py --arch sd14 --n-samples 4 --items 1

Writes JSON and a bar plot beside it.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, models, winoground_items  # noqa: E402

from sdsclip.diffusion_score import DiffusionScoreConfig, DiffusionScorer, plot_cost, winoground_cost
from sdsclip.eval.core import CLIPScorer


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", default="tiny", choices=["tiny", "sd14"])
    p.add_argument("--items", type=int, default=8)
    p.add_argument("--n-samples", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="cpu")
    p.add_argument("--out", default=None)
    a = p.parse_args()
    clip, preprocess, tokenizer, teacher = models(a.arch)
    teacher.to(a.device)
    cost = winoground_cost(CLIPScorer(clip, preprocess, tokenizer, device=a.device, progress=False),
                           DiffusionScorer(teacher, DiffusionScoreConfig(n_samples=a.n_samples, batch_size=a.batch_size, progress=False)),
                           winoground_items(a.items), repeats=a.repeats)
    r = {"arch": a.arch, **cost, "machine": machine(), "command": " ".join(sys.argv)}
    print(json.dumps(r, indent=2))
    out = Path(a.out or f"benchmarks/results/winoground_cost_{a.arch}.json")
    out.parent.mkdir(parents=True, exist_ok=True); out.write_text(json.dumps(r, indent=2))
    plot_cost(cost, out.with_suffix(".png"), f"{a.arch}, {r['machine']['gpu'] or 'CPU'}")


if __name__ == "__main__":
    main()
