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

    return all(hasattr(teachnet, name) for name in ("Sequential", "Input", "optimizers"))


def test_bench_quick_torch_side(tmp_path):
    pytest.importorskip("torch", reason="the benchmark's reference side needs torch (the `parity` extra)")
    stdout, report = run_bench(tmp_path, "--sides", "torch")
    env = report["environment"]
    assert env["torch_threads"] == env["numpy_blas_threads"] >= 1
    assert env["numpy_blas"]  # which BLAS kernel numpy runs is reported
    mlp = {r["workload"]: r for r in report["results"]}["mlp"]
    assert mlp["workload"] == "mlp" and mlp["samples_per_epoch"] == 256
    assert len(mlp["samples_per_s"]["torch"]) == 2 and mlp["median_samples_per_s"]["torch"] > 0
    assert mlp["peak_rss_growth_mb"]["torch"] >= 0
    assert "torch     median" in stdout


@pytest.mark.skipif("not _teachnet_can_fit()", reason="teachnet.Sequential/fit not in this checkout yet")
def test_bench_quick_both_sides_report_ratio(tmp_path):
    pytest.importorskip("torch", reason="the benchmark's reference side needs torch (the `parity` extra)")
    stdout, report = run_bench(tmp_path, "--no-memory")
    mlp = {r["workload"]: r for r in report["results"]}["mlp"]
    medians = mlp["median_samples_per_s"]
    assert medians["teachnet"] > 0 and medians["torch"] > 0
    assert mlp["ratio_teachnet_over_torch"] == pytest.approx(medians["teachnet"] / medians["torch"])
    assert "ratio teachnet/torch" in stdout


def test_bench_rejects_unknown_workload(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH), "--workloads", "nope"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown workload(s) ['nope']" in done.stderr
