"""benchmarks/bench.py keeps working: --quick runs every workload on tiny sizes and reports sane numbers."""
import importlib.util
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench.py"

pytest.importorskip("torch", reason="the benchmark's reference side needs torch (the `parity` extra)")


def _workload_names():
    spec = importlib.util.spec_from_file_location("teachnet_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return list(bench.WORKLOADS)


SIDES = ["teachnet", "torch"]


def run_bench(tmp_path, *args):
    out_json = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--json", str(out_json), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"bench.py failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout, json.loads(out_json.read_text())


def check_results(stdout, report, sides, workloads, memory):
    env = report["environment"]
    assert env["torch_threads"] == env["numpy_blas_threads"] >= 1
    assert env["numpy_blas"]  # which BLAS library and kernel numpy runs is reported
    results = {r["workload"]: r for r in report["results"]}
    assert list(results) == workloads
    for name, result in results.items():
        for side in sides:
            assert len(result["samples_per_s"][side]) == 2 and result["median_samples_per_s"][side] > 0, name
            if memory:
                assert result["peak_rss_growth_mb"][side] >= 0, name
        if len(sides) == 2:
            medians = result["median_samples_per_s"]
            assert result["ratio_teachnet_over_torch"] == pytest.approx(medians["teachnet"] / medians["torch"])
        assert memory == ("peak_rss_growth_mb" in result)
    for side in sides:
        assert f"{side:9s} median" in stdout
    assert ("ratio teachnet/torch" in stdout) == (len(sides) == 2)


def test_bench_quick_mlp_with_memory(tmp_path):
    sides = SIDES
    stdout, report = run_bench(tmp_path, "--workloads", "mlp", "--sides", ",".join(sides))
    check_results(stdout, report, sides, ["mlp"], memory=True)
    assert report["results"][0]["samples_per_epoch"] == 128


def test_bench_quick_other_workloads(tmp_path):
    others = [name for name in _workload_names() if name != "mlp"]
    if not others:
        pytest.skip("mlp is the only workload")
    sides = SIDES
    stdout, report = run_bench(tmp_path, "--workloads", ",".join(others), "--sides", ",".join(sides), "--no-memory")
    check_results(stdout, report, sides, others, memory=False)


def test_bench_rejects_unknown_workload():
    done = subprocess.run([sys.executable, str(BENCH), "--workloads", "nope"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown workload(s) ['nope']" in done.stderr


def test_profile_ops_times_the_ops_of_a_step():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "profile_ops.py"), "--workload", "mlp",
                           "--epochs", "1", "--top", "4"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "ms process time per step" in lines[1]
    rows = [line.split() for line in lines[3:]]
    assert len(rows) == 4 and all(row[0] in ("forward", "backward") for row in rows)
    assert any(row[1] == "matmul" for row in rows)  # the MLP's time is in its products
    assert all(float(row[-1]) > 0 for row in rows)


def test_the_benchmark_reports_that_both_sides_share_teachnets_malloc_settings(tmp_path):
    stdout, report = run_bench(tmp_path, "--workloads", "mlp", "--sides", "torch", "--no-memory")
    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    own_settings = any(name in os.environ for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                                       "MALLOC_TOP_PAD_"))
    assert report["environment"]["malloc_thresholds_set_by_teachnet"] is (glibc and not own_settings)


def _bench_module():
    spec = importlib.util.spec_from_file_location("teachnet_bench_keras_tf", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_the_keras_tf_side_is_skipped_with_its_reason_when_tensorflow_is_missing(monkeypatch, capsys):
    from teachnet.ops import parallel

    bench = _bench_module()
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tensorflow" else real_find_spec(name, *a))
    assert "tensorflow is not installed" in bench.keras_tf_missing()
    try:
        report = bench.main(["--quick", "--workloads", "mlp", "--sides", "teachnet,keras-tf", "--no-memory",
                             "--no-dashboard"])
    finally:
        parallel.set_num_threads(None)
    assert "keras-tf side skipped: tensorflow is not installed" in capsys.readouterr().out
    assert list(report["results"][0]["samples_per_s"]) == ["teachnet"]
    assert "ratio_teachnet_over_keras_tf" not in report["results"][0]


def test_the_keras_tf_side_trains_in_a_child_process_when_tensorflow_is_installed(tmp_path):
    pytest.importorskip("tensorflow", reason="the keras-tf side needs tensorflow-cpu (not in any extra)")
    stdout, report = run_bench(tmp_path, "--workloads", "mlp", "--sides", "teachnet,torch,keras-tf",
                               "--no-memory", "--no-dashboard")
    result = report["results"][0]
    assert len(result["samples_per_s"]["keras-tf"]) == 2 and result["median_samples_per_s"]["keras-tf"] > 0
    medians = result["median_samples_per_s"]
    assert result["ratio_teachnet_over_keras_tf"] == pytest.approx(medians["teachnet"] / medians["keras-tf"])
    assert result["keras_tf"]["tensorflow"] and "ratio teachnet/keras-tf" in stdout
    assert report["skipped_sides"] == {}


def test_thread_scaling_reports_each_operation_on_one_and_two_threads():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "thread_scaling.py"), "--sizes", "40000",
                           "--calls", "20", "--repeats", "1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    names = [" ".join(row[:-4]) for row in rows]
    assert names == ["np.add(a, b, out=a)", "(x, 288) @ (288, 64)", "np.copyto (im2col)"]
    for row in rows:
        one, two, scaling = map(float, row[-3:])
        assert one > 0 and two > 0
        # the printed ratio is the times' (which are printed rounded to 0.1 us)
        assert 2 * (one - 0.05) / (two + 0.05) - 0.005 <= scaling <= 2 * (one + 0.05) / (two - 0.05) + 0.005
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "thread_scaling.py"), "--sizes", "0"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "must be positive" in bad.stderr
