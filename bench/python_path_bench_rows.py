"""The rows and the Arrow batch of bench/python_path_bench.py's sources and floors (no
pyspark here: the floors run in a plain interpreter)."""


def make_rows(first, stop):
    return [(i, "name-%d" % i, i * 0.5) for i in range(first, stop)]


def make_arrow_batch(rows):
    import pyarrow as pa

    ids = pa.array(range(rows), pa.int64())
    names = pa.array(["name-%d" % i for i in range(rows)], pa.string())
    scores = pa.array([i * 0.5 for i in range(rows)], pa.float64())
    return pa.RecordBatch.from_arrays([ids, names, scores], ["id", "name", "score"])
