"""The README's Python API block is pasteable: it runs as written, offline, in a fresh folder."""
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_python_api_block_runs_as_written(tmp_path):
    api = README.read_text().split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", api, re.S)[1]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "'sds_loss'" in r.stdout and "'Both'" in r.stdout
    assert (tmp_path / "runs/tiny/checkpoints/latest.json").is_file() and (tmp_path / "eval/tiny/winoground.json").is_file()
