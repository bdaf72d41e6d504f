"""A run's log read while its process trains: the steps it has logged, and waiting for one."""
import json
import time
from pathlib import Path


def log_steps(run):
    path = Path(run) / "log.jsonl"
    if not path.exists():
        return []
    return [json.loads(l)["step"] for l in path.read_text().splitlines() if l.strip() and "step" in json.loads(l)
            and "event" not in json.loads(l)]


def wait_for_step(proc, run, step, timeout=300):
    t0 = time.time()
    while time.time() - t0 < timeout:
        steps = log_steps(run)
        if steps and steps[-1] >= step:
            return steps[-1]
        assert proc.poll() is None, f"training ended before step {step}: {proc.stderr.read()}"
        time.sleep(0.005)
    raise TimeoutError(f"no step {step} after {timeout} s")
