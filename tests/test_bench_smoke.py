"""benchmarks/bench.py keeps working: --quick runs each side on tiny sizes and reports sane numbers."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench.py"


def run_bench(tmp_path, *args):
    out_json = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--json", str(out_json), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"bench.py failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout, json.loads(out_json.read_text())


def _teachnet_can_fit():
    import teachnet

    return all(hasattr(teachnet, name) for name in ("Sequential", "Input", "optimizers", "losses"))


def test_bench_quick_reports_each_side_and_the_ratio(tmp_path):
    pytest.importorskip("torch", reason="the benchmark's reference side needs torch (the `parity` extra)")
    # Until model.fit, optimizers and losses are all in this checkout, only the torch side can run.
    sides = ["teachnet", "torch"] if _teachnet_can_fit() else ["torch"]
    stdout, report = run_bench(tmp_path, "--sides", ",".join(sides))
    env = report["environment"]
    assert env["torch_threads"] == env["numpy_blas_threads"] >= 1
    assert env["numpy_blas"]  # which BLAS library and kernel numpy runs is reported
    (mlp,) = report["results"]
    assert mlp["workload"] == "mlp" and mlp["samples_per_epoch"] == 256
    for side in sides:
        assert len(mlp["samples_per_s"][side]) == 2 and mlp["median_samples_per_s"][side] > 0
        assert mlp["peak_rss_growth_mb"][side] >= 0
        assert f"{side:9s} median" in stdout
    if len(sides) == 2:
        medians = mlp["median_samples_per_s"]
        assert mlp["ratio_teachnet_over_torch"] == pytest.approx(medians["teachnet"] / medians["torch"])
        assert "ratio teachnet/torch" in stdout


def test_bench_rejects_unknown_workload(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH), "--workloads", "nope"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown workload(s) ['nope']" in done.stderr
