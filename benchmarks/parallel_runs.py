"""Two fine-tuning runs at once with one thread each, against one run with every thread, on the miniworld preset.

The reproduction computes its runs in several processes (`sdsclip reproduce --workers`); this measures whether that
beats one process using all cores, in one run of this script: runs per minute either way, and their ratio.

    python benchmarks/parallel_runs.py --condition sds-backprop --steps 40
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

from common import machine

ONE = """
import sys, torch
torch.set_num_threads(int(sys.argv[1]))
from sdsclip.presets import get_preset
from sdsclip.reproduce.experiment import Experiment
from sdsclip.reproduce.scores import finetuned
train = get_preset("miniworld").train | {"max_steps": int(sys.argv[3])}
ex = Experiment.open("table1", "miniworld", changes={"train": train, "seeds": [0]}, out=sys.argv[4], runs=sys.argv[4])
finetuned(ex, sys.argv[2], 0)
"""


def runs(n: int, threads: int, cond: str, steps: int) -> float:
    "Seconds for `n` runs started together, each a process with `threads` threads (start-up and imports included)."
    t0, logs = time.perf_counter(), [Path(tempfile.mkdtemp()) / "run.log" for _ in range(n)]
    ps = [subprocess.Popen([sys.executable, "-c", ONE, str(threads), cond, str(steps), str(log.parent)],
                           stdout=subprocess.DEVNULL, stderr=log.open("w")) for log in logs]
    for p, log in zip(ps, logs):
        if p.wait(): raise SystemExit(f"a run failed; its log ends:\n{log.read_text()[-2000:]}")
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--condition", default="sds-backprop")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--out", default="benchmarks/results/parallel_runs.json")
    a = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    runs(1, cores, a.condition, 2)  # warm the file cache and the world
    serial = runs(1, cores, a.condition, a.steps) + runs(1, cores, a.condition, a.steps)
    parallel = runs(2, max(1, cores // 2), a.condition, a.steps)
    r = {"machine": machine(), "condition": a.condition, "steps": a.steps, "cores": cores,
         "two_runs_one_after_the_other_s": round(serial, 2), "two_runs_side_by_side_s": round(parallel, 2), "speed_up": round(serial / parallel, 2)}
    Path(a.out).write_text(json.dumps(r, indent=1))
    print(f"{a.condition}, {a.steps} steps, {cores} cores: two runs one after the other with {cores} threads {serial:.1f} s; "
          f"side by side with {max(1, cores // 2)} thread(s) each {parallel:.1f} s: {serial / parallel:.2f}× the runs per minute")


if __name__ == "__main__":
    main()
