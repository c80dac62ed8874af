"""Issue 4's Python figure: rows per second of the pure-Python Arrow IPC codec for rows of
int64 + double + string, next to the cost of just building those rows as Python tuples in
the same run. Goal: encoding adds no more than building the rows (ratio 1.0x or less).

Usage: python3 bench/python_codec_bench.py [ROWS]   (default 200000)
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))

from rivulet import arrow_ipc  # noqa: E402
from rivulet import types as T  # noqa: E402

SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType()),
        T.StructField("value", T.DoubleType()),
        T.StructField("name", T.StringType()),
    ]
)


def build_rows(n):
    return [(i * 7919, i * 0.25, "name-%d-abcdef" % (i % 100000)) for i in range(n)]


def best_of(rounds, fn):
    best = float("inf")
    result = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    rounds = 5
    build, rows = best_of(rounds, lambda: build_rows(n))
    encode, data = best_of(rounds, lambda: arrow_ipc.encode_stream(rows, SCHEMA))
    decode, (_, decoded) = best_of(rounds, lambda: arrow_ipc.decode_stream(data))
    assert decoded == rows
    print("python %s, %d rows of (bigint, double, string), best of %d" % (sys.version.split()[0], n, rounds))
    print("  build rows as tuples: %8.3f s  %12.0f rows/s" % (build, n / build))
    print("  encode_stream:        %8.3f s  %12.0f rows/s  ratio to building %.2fx" % (encode, n / encode, encode / build))
    print("  decode_stream:        %8.3f s  %12.0f rows/s  ratio to building %.2fx" % (decode, n / decode, decode / build))
    print("  stream bytes: %d" % len(data))


if __name__ == "__main__":
    main()
