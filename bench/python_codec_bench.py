"""Issue 4's Python figure: rows per second of the Arrow IPC codec for rows of int64 + double
+ string, next to the cost of just building those rows as Python tuples in the same run.
Goal: encoding adds no more than building the rows (ratio 1.0x or less).

Encoding is measured with both row encoders: the pure-Python one and the compiled one
(rivulet._rowcodec), which the installed package has; run with the environment that has
it (`pip install .`, e.g. build/venv/bin/python). From a checkout without it only the
pure-Python figures are printed. "as a worker encodes" is the call a Python source's
worker makes: the rows in batches of 10,000 under source rules.

Usage: python3 bench/python_codec_bench.py [ROWS]   (default 200000)
"""

import os
import sys
import time

try:
    import rivulet  # noqa: F401  the installed package, with the compiled encoder
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                    "python"))

from rivulet import arrow_ipc  # noqa: E402
from rivulet import types as T  # noqa: E402
from rivulet._arrow_ipc import compiled  # noqa: E402

SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType()),
        T.StructField("value", T.DoubleType()),
        T.StructField("name", T.StringType()),
    ]
)
WORKER_BATCH = 10000
PURE_PYTHON = "RIVULET_PURE_PYTHON_ENCODER"


def build_rows(n):
    return [(i * 7919, i * 0.25, "name-%d-abcdef" % (i % 100000)) for i in range(n)]


def with_encoder(pure_python, fn):
    """fn, with the pure-Python encoder or the compiled one."""
    def run():
        if pure_python:
            os.environ[PURE_PYTHON] = "1"
        else:
            os.environ.pop(PURE_PYTHON, None)
        try:
            return fn()
        finally:
            os.environ.pop(PURE_PYTHON, None)
    return run


def best_of(rounds, steps):
    """The best time of each step and its last result; the steps take turns, so that all
    see the same (shared, noisy) machine."""
    best = {name: float("inf") for name in steps}
    results = {}
    for _ in range(rounds):
        for name, fn in steps.items():
            t0 = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best, results


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    rounds = 5
    has_compiled = compiled._rowcodec is not None
    rows = build_rows(n)
    batches = [rows[i:i + WORKER_BATCH] for i in range(0, n, WORKER_BATCH)]
    encoders = [("python", True)] + ([("compiled", False)] if has_compiled else [])
    steps = {"build rows as tuples": lambda: build_rows(n)}
    for name, pure in encoders:
        steps["encode_stream, %s" % name] = with_encoder(
            pure, lambda: arrow_ipc.encode_stream(rows, SCHEMA))
        steps["as a worker encodes, %s" % name] = with_encoder(
            pure, lambda: arrow_ipc.encode_stream_batches(batches, SCHEMA, source_rules=True))
    data = with_encoder(True, lambda: arrow_ipc.encode_stream(rows, SCHEMA))()
    steps["decode_stream"] = lambda: arrow_ipc.decode_stream(data)
    best, results = best_of(rounds, steps)

    assert results["decode_stream"][1] == rows
    for name, _ in encoders:
        assert results["encode_stream, %s" % name] == data
    assert len({results["as a worker encodes, %s" % name] for name, _ in encoders}) == 1

    build = best["build rows as tuples"]
    print("python %s, %d rows of (bigint, double, string), best of %d"
          % (sys.version.split()[0], n, rounds))
    for name, seconds in best.items():
        print("  %-32s %8.3f s  %12.0f rows/s  ratio to building %.2fx"
              % (name + ":", seconds, n / seconds, seconds / build))
    if has_compiled:
        for call in ("encode_stream", "as a worker encodes"):
            print("  %s: compiled %.1fx faster than pure Python"
                  % (call, best["%s, python" % call] / best["%s, compiled" % call]))
    else:
        print("  (no compiled encoder here: rivulet._rowcodec comes with `pip install .`)")
    print("  stream bytes: %d" % len(data))


if __name__ == "__main__":
    main()
