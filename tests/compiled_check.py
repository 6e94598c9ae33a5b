"""Runs a computation with teachnet/ops/compiled.py's loops on and then off, and compares every bit.

    ours, numpys = with_and_without_loops(monkeypatch, ["col2im"], run)
    assert_same_bits(ours, numpys)

`run()` returns a list of numpy arrays. The helper also checks that the named loops really ran with the
loops on (and none of them with the loops off), so a comparison can never be of numpy against itself.
Skips the test when numba is not installed.
"""
import pytest

from teachnet.ops import compiled


def with_and_without_loops(monkeypatch, loop_names, run):
    """(run() with the compiled loops, run() with the numpy versions); the loops named must have run."""
    if not compiled.enabled():
        pytest.skip("numba is not installed")
    calls = []
    for name in loop_names:
        loop = getattr(compiled, name)
        monkeypatch.setattr(compiled, name, lambda *args, loop=loop, name=name: calls.append(name) or loop(*args))
    results = []
    try:
        for flag in (True, False):
            compiled.set_enabled(flag)
            calls.clear()
            results.append(run())
            assert set(calls) == (set(loop_names) if flag else set()), (flag, sorted(set(calls)))
    finally:
        compiled.set_enabled(True)
        monkeypatch.undo()
    return results


def assert_same_bits(ours, numpys):
    """Each pair of arrays has the same dtype, shape and bytes (-0.0 differs from 0.0, nan payloads count)."""
    assert len(ours) == len(numpys)
    for a, b in zip(ours, numpys):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
