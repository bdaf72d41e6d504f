"""The dress rehearsal at the paper's real shapes: ViT-B/16 and Stable Diffusion v1.x stand-ins built offline and one
artefact of the `paper` preset run on them through `sdsclip reproduce --rehearsal` (two steps, a handful of items)."""
import json, os, subprocess, sys
from pathlib import Path

import pytest

SDSCLIP = str(Path(sys.executable).parent / "sdsclip")


@pytest.mark.slow  # about 6 minutes on 2 cores: a 3.4 GB UNet written, read and stepped through at 4×64×64
def test_rehearsal_of_vit_b16_with_sd_v1(tmp_path):
    cmd = [SDSCLIP, "reproduce", "--preset", "paper", "--rehearsal", str(tmp_path / "standins"), "--only", "table1",
           "--backbones", "ViT-B-16", "--out", str(tmp_path / "record")]
    r = subprocess.run(cmd, cwd=tmp_path, env=dict(os.environ, TQDM_DISABLE="1"), capture_output=True, text=True, timeout=1500)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    index = json.loads((tmp_path / "record/index.json").read_text())
    jobs = [(j["artefact"], j["backbone"], j["status"]) for j in index["jobs"]]
    assert jobs == [("table1", "ViT-B-16", "ok")], index["jobs"]
    job = index["jobs"][0]
    assert job["peak_memory_gb"] > 4 and (tmp_path / "record" / job["notebook"]).is_file()  # the UNet alone is 3.4 GB in fp32
    result = json.loads((tmp_path / "standins/figures/notebooks/paper/table1/ViT-B-16/result.json").read_text())
    assert result["clip"] == "ViT-B-16-quickgelu" and result["pretrained"].endswith("clips/ViT-B-16-quickgelu.safetensors")
    run = next((tmp_path / "standins/runs/paper/ViT-B-16").glob("layernorm-sds-backprop-*"))
    steps = [json.loads(l) for l in (run / "log.jsonl").read_text().splitlines()]
    assert [s["step"] for s in steps] == [1, 2] and all(s["sds_loss"] > 0 for s in steps)  # through the real UNet
    from safetensors import safe_open
    with safe_open(str(run / "checkpoints/step-00000002.safetensors"), "pt") as f:
        assert f.get_slice("mapper.proj.weight").get_shape() == [4 * 64 * 64, 512]  # h_w: ViT-B/16's 512 → SD's 4×64×64
    assert "1 of 1 artefact × backbone jobs ok" in (tmp_path / "record/README.md").read_text()
