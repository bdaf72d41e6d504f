"""Figures the docs quote are read back from the code that computes them, so that they cannot go stale unnoticed."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_hours_cost_and_disk_in_docs_gpu_are_the_code_s():
    from sdsclip.bench import GPU_ASSUMPTION
    from sdsclip.presets import get_preset
    from sdsclip.reproduce.runner import planned_gpu_hours, planned_runs_mb
    section = (ROOT / "docs/gpu.md").read_text().split("## 5.", 1)[1]
    paper = get_preset("paper")
    hours = planned_gpu_hours(paper)
    assert dict(re.findall(r"^\| `(\w+)` \| ([\d.]+) \|$", section, re.M)) == {a: f"{h:.1f}" for a, h in hours.items()}
    total, price = sum(hours.values()), GPU_ASSUMPTION["usd_per_hour"]
    assert f"**{total:.1f}**" in section
    assert f"about ${total * price:,.0f} at ${price:.2f} per H100-hour" in section
    assert f"at {GPU_ASSUMPTION['utilisation']:.0%} of an H100 SXM's bf16" in section
    assert f"**{planned_runs_mb(paper):,.0f} MB**" in section


def test_the_driver_docs_gpu_names_is_the_locked_torch_s():
    from sdsclip.environment import CUDA_MIN_DRIVER
    text = (ROOT / "docs/gpu.md").read_text()
    locked = re.search(r"^torch==([\d.]+)", (ROOT / "requirements.lock").read_text(), re.M)[1]
    assert f"torch {locked}+cu130" in text and f"NVIDIA driver {CUDA_MIN_DRIVER[13]} or newer" in text
    assert f"drivers from {CUDA_MIN_DRIVER[12]} on" in text


def test_the_rehearsal_time_the_docs_quote_is_the_record_s():
    import json
    r = json.loads((ROOT / "figures/rehearsal/index.json").read_text())
    quoted = f"{r['seconds'] / 3600:.1f} h on {r['machine'].removesuffix(', no GPU')}"
    for doc in ("README.md", "docs/reproduction.md"):
        assert quoted in " ".join((ROOT / doc).read_text().split()), f"{doc} does not quote {quoted!r}"
