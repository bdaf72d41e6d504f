"""Shared set-up of the benchmark scripts: models by architecture name, fixture items, machine description."""
import tempfile
from pathlib import Path

import torch

from sdsclip.environment import machine_info as machine  # noqa: F401  (re-exported for the scripts)
from sdsclip.eval.fixtures import write_winoground_fixture
from sdsclip.eval.winoground import load_winoground
from sdsclip.models import build_tiny, load_clip, random_sd_teacher


def models(arch: str, seed: int = 0):
    """(clip, preprocess, tokenizer, teacher): 'tiny' (build_tiny) or 'sd14' (ViT-B/16 + SD v1.x, random weights)."""
    if arch == "tiny":
        return build_tiny(seed)
    if arch == "sd14":
        torch.manual_seed(seed)
        clip, preprocess, tokenizer = load_clip("ViT-B-16")
        return clip, preprocess, tokenizer, random_sd_teacher(seed)
    raise ValueError(f"arch must be 'tiny' or 'sd14', not {arch!r}")


def winoground_items(n: int):
    """`n` Winoground-format items (the fixture's four, repeated): synthetic images, real file layout."""
    items = load_winoground(write_winoground_fixture(Path(tempfile.mkdtemp()) / "wg"))
    return [items[i % len(items)] for i in range(n)]
