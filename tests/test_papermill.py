"""The papermill commands docs/reproduction.md gives run as written (the tiny ones), and a misplaced option fails with a
message that says where it goes."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAPERMILL = str(Path(sys.executable).parent / "papermill")


def documented() -> list[list[str]]:
    text = (ROOT / "docs/reproduction.md").read_text()
    lines = [l.split("   #")[0] for block in re.findall(r"```bash\n(.*?)```", text, re.S) for l in block.splitlines()]
    return [shlex.split(l) for l in lines if l.startswith("papermill ") and "-p preset tiny" in l]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    args = [PAPERMILL] + [str(ROOT / a) if a.startswith("nbs/") else a for a in args[1:]]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900)


@pytest.mark.slow  # a minute: two notebooks with their runs
def test_the_documented_tiny_commands_run(tmp_path):
    cmds = documented()
    assert len(cmds) == 2, cmds
    for cmd in cmds:
        r = run(cmd, tmp_path)
        assert r.returncode == 0, f"{shlex.join(cmd)}:\n{r.stderr[-3000:]}"
        assert (tmp_path / cmd[2]).is_file()


def test_a_training_option_at_the_top_level_is_named_with_where_it_goes(tmp_path):
    r = run(["papermill", "nbs/experiments/fig3.ipynb", "out.ipynb", "-p", "preset", "tiny", "-p", "changes", '{"max_steps": 5}'], tmp_path)
    assert r.returncode != 0
    assert "put them under 'train'" in r.stderr and "Valid: train, full_weights" in r.stderr, r.stderr[-2000:]
