"""A GPU machine checked end to end before hours are spent on it (`make gpu-check`, about 15 minutes on one H100 once the
weights are cached): `sdsclip info`, the paper's training step at batch 32 in bf16, 50 steps of the paper preset on a few
hundred COCO pairs, Winoground of that run, and Fig. 3. Each step prints what it measured and whether it meets the figure
the docs give (docs/gpu.md); the record goes to benchmarks/results/gpu_check_<gpu>.json.

`--preset tiny --device cpu` runs the same sequence on random tiny models and the fixtures in a minute: the smoke test of
this script (its numbers mean nothing)."""
import argparse, csv, json, math, os, re, shutil, statistics, subprocess, sys, time
from pathlib import Path

from sdsclip.bench import GPU_ASSUMPTION, counted_flops
from sdsclip.environment import machine_info

PAPER_WINOGROUND_TEXT = 0.24   # the paper's Table 1: pretrained ViT-B/16 (OpenAI), Winoground text score
PAPER_FIG3_RATIO = 40          # the paper's Fig. 3: the diffusion score takes ~40x CLIP's time per item
WINOGROUND_SLACK = 0.05        # 50 steps on 400 pairs move a CLIP little; 400 items give a 95% interval of about ±0.04


def sdsclip(*args: str, log: Path) -> None:
    "Run one sdsclip command (this Python's), its output to `log`; a failure stops the check with the command and the log's tail."
    exe = Path(sys.executable).with_name("sdsclip")
    print("  $ sdsclip " + " ".join(args), flush=True)
    with open(log, "w") as f:
        rc = subprocess.run([str(exe) if exe.exists() else "sdsclip", *args], stdout=f, stderr=subprocess.STDOUT).returncode
    if rc:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        sys.exit(f"gpu-check: `sdsclip {' '.join(args)}` failed (exit {rc}); its last lines ({log}):\n{tail}")


def verdict(ok: bool) -> str: return "meets" if ok else "DOES NOT MEET"


def step_info(out: Path, tiny: bool) -> dict:
    sdsclip("info", "--json", log=out / "info.json")
    d = json.loads((out / "info.json").read_text())
    m = d["machine"]
    print(f"  device {m['device']}, gpu {m['gpu']}" + (f" ({m['gpu_problem']})" if m.get("gpu_problem") else ""))
    if m["device"] != "cuda" and not tiny:
        sys.exit("gpu-check: torch sees no GPU; nothing else can be checked. " + m.get("gpu_problem", "See docs/gpu.md."))
    return {"device": m["device"], "gpu": m["gpu"], "torch": d["versions"]["torch"]}


def step_bench(out: Path, tiny: bool, device: str) -> dict:
    args = (["--preset", "tiny", "--batch-size", "4", "--rounds", "1", "--n-samples", "2", "--diffusion-items", "1"] if tiny else
            ["--preset", "paper", "--batch-size", "32", "--precision", "bf16", "--rounds", "3", "--n-samples", "50"])
    sdsclip("bench", *args, "--device", device, "--out", str(out / "bench.json"), log=out / "bench.log")
    r = json.loads((out / "bench.json").read_text())
    back = r["modes"]["backprop"]
    rec = {"seconds_per_step": back["seconds"], "pairs_per_s": back["pairs_per_s"], "memory_gb": back["memory_bytes"] / 1e9}
    print(f"  backprop step at batch {r['batch']} {r['precision']}: {back['seconds']:.3f} s, {back['pairs_per_s']:.1f} pairs/s, "
          f"{rec['memory_gb']:.1f} GB of activations")
    if not tiny:
        a = GPU_ASSUMPTION
        rec["utilisation"] = back["pairs_per_s"] * counted_flops("ViT-B-16")["backprop"] / a["bf16_peak_flops"]
        print(f"  that is {rec['utilisation']:.0%} of {a['gpu']} bf16 peak; the GPU-hour estimates assume {a['utilisation']:.0%}: "
              f"{verdict(rec['utilisation'] >= a['utilisation'])} (below it, scale docs/gpu.md's hours by "
              f"{a['utilisation'] / max(rec['utilisation'], 1e-9):.2f})")
    for t in r.get("targets", []) if not tiny else []: print(f"  target {t['target']}: {t['measured']} ({verdict(t['met'])})")
    return rec


def coco_manifest(out: Path, n: int) -> Path:
    "The first `n` COCO train2017 pairs as a CSV manifest (one caption per image)."
    from sdsclip.data import coco_pairs
    from sdsclip.presets import paper_roots
    pairs = coco_pairs(paper_roots()["train"])[:n]
    path = out / "pairs.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f); w.writerow(["image", "caption"])
        for image, caps in pairs: w.writerow([str(image), caps[0]])
    return path


def step_train(out: Path, tiny: bool, device: str, bench: dict) -> dict:
    run = out / "train"
    if run.exists(): shutil.rmtree(run)
    args = (["--preset", "tiny", "--max-steps", "10"] if tiny else
            ["--preset", "paper", "--data", str(coco_manifest(out, 400)), "--max-steps", "50", "--save-every", "50"])
    t = time.perf_counter()
    sdsclip("train", *args, "--device", device, "--out", str(run), log=out / "train.log")
    wall = time.perf_counter() - t
    rows = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines() if '"loss"' in line]
    steady = statistics.median(row["pairs_per_s"] for row in rows[len(rows) // 5:])
    rec = {"steps": len(rows), "wall_seconds": round(wall, 1), "pairs_per_s": steady, "last_loss": rows[-1]["loss"]}
    print(f"  {len(rows)} steps in {wall:.0f} s with loading; {steady:.1f} pairs/s steady; last loss {rows[-1]['loss']:.4f}")
    print(f"  loss finite: {verdict(math.isfinite(rows[-1]['loss']))}; a checkpoint kept: "
          f"{verdict(any((run / 'checkpoints').glob('step-*.safetensors')))}")
    if not tiny:
        print(f"  steady speed against the bench's {bench['pairs_per_s']:.1f} pairs/s: "
              f"{verdict(steady >= 0.7 * bench['pairs_per_s'])} (the loader keeps up when it is at least 70%)")
    return rec


def step_eval(out: Path, tiny: bool, device: str) -> dict:
    if tiny:
        from sdsclip.presets import fixture_data
        wino = fixture_data()["winoground"]
    else: wino = os.environ.get("SDSCLIP_WINOGROUND", "hub")
    sdsclip("eval", "--checkpoint", str(out / "train"), "--tasks", "winoground", "--winoground", wino, "--device", device,
            "--out", str(out / "eval"), log=out / "eval.log")
    m = json.loads((out / "eval" / "winoground.json").read_text())["metrics"]
    print(f"  Winoground text {m['Overall/text']:.3f}, image {m['Overall/image']:.3f}, group {m['Overall/group']:.3f}")
    if not tiny:
        ok = abs(m["Overall/text"] - PAPER_WINOGROUND_TEXT) <= WINOGROUND_SLACK
        print(f"  text against the paper's pretrained ViT-B/16 ({PAPER_WINOGROUND_TEXT}) ± {WINOGROUND_SLACK}: {verdict(ok)}")
    return {k: m[k] for k in ("Overall/text", "Overall/image", "Overall/group")}


def step_fig3(out: Path, tiny: bool) -> dict:
    preset = "tiny" if tiny else "paper"
    sdsclip("reproduce", "--preset", preset, "--only", "fig3", "--out", str(out / "figures"), "--runs", str(out / "runs"),
            log=out / "fig3.log")
    with open(out / "figures" / preset / "rows.csv") as f:
        rows = {r["metric"]: float(r["value"]) for r in csv.DictReader(f) if r["metric"].startswith("cost/")}
    ratio = rows["cost/ratio"]
    print(f"  seconds per Winoground item: CLIP {rows['cost/clip_seconds_per_item']:.4f}, diffusion score "
          f"{rows['cost/diffusion_seconds_per_item']:.3f}: {ratio:.0f}x")
    if not tiny: print(f"  against the paper's ~{PAPER_FIG3_RATIO}x: {verdict(ratio >= PAPER_FIG3_RATIO / 4)} (the order of magnitude)")
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", choices=["paper", "tiny"], default="paper", help="paper (a GPU machine) | tiny (this script's smoke test)")
    p.add_argument("--device", default="cuda", help="cuda | cuda:N | cpu (with --preset tiny)")
    p.add_argument("--out", default="runs/gpu-check", help="where the steps' runs, logs and figures go")
    p.add_argument("--record", help="the JSON record (default: benchmarks/results/gpu_check_<gpu>.json; with tiny: OUT/record.json)")
    a = p.parse_args(argv)
    tiny, out = a.preset == "tiny", Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rec, t0 = {"preset": a.preset, "command": " ".join(["benchmarks/gpu_check.py", *(argv or sys.argv[1:])])}, time.perf_counter()
    for name, run in [("info", lambda: step_info(out, tiny)), ("bench", lambda: step_bench(out, tiny, a.device)),
                      ("train", lambda: step_train(out, tiny, a.device, rec["bench"])), ("eval", lambda: step_eval(out, tiny, a.device)),
                      ("fig3", lambda: step_fig3(out, tiny))]:
        t = time.perf_counter()
        print(f"[{name}]", flush=True)
        rec[name] = run() | {"step_seconds": round(time.perf_counter() - t, 1)}
    rec |= {"seconds": round(time.perf_counter() - t0, 1), "machine": machine_info()}
    gpu = re.sub(r"[^A-Za-z0-9]+", "_", rec["info"]["gpu"]).strip("_") or "cpu"
    path = Path(a.record or (out / "record.json" if tiny else f"benchmarks/results/gpu_check_{gpu}.json"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rec, indent=2))
    print(f"gpu-check: done in {rec['seconds'] / 60:.1f} min; record {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
