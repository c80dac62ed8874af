"""One streaming query of bench/session_bench.py, run in its own interpreter.

    python session_bench_query.py rivulet|pyspark startup
        A Python simple stream reader (defined here, in __main__) into foreachBatch. Prints
        one JSON line of timings once five batches have run, then keeps the query running
        until a line arrives on stdin, so that the parent can measure the process tree.
    python session_bench_query.py rivulet throughput ROWS_PER_BATCH BATCHES
        rate-micro-batch into foreachBatch calling toArrow() on every batch; prints the
        progress of each batch as JSON lines, then stops.

The script is the same on both engines but for the import, as a user's would be.
"""

import json
import sys
import threading
import time

T_START = time.perf_counter()
ENGINE, MODE = sys.argv[1], sys.argv[2]
if ENGINE == "rivulet":
    from rivulet import SparkSession
else:
    from pyspark.sql import SparkSession
T_IMPORTED = time.perf_counter()

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader  # noqa: E402


class TicksReader(SimpleDataSourceStreamReader):
    """Ten rows a batch: (tick, square), offsets {"tick": n}."""

    def initialOffset(self):
        return {"tick": 0}

    def read(self, start):
        first = start["tick"]
        rows = [(i, i * i) for i in range(first, first + 10)]
        return iter(rows), {"tick": first + 10}

    def readBetweenOffsets(self, start, end):
        return iter([(i, i * i) for i in range(start["tick"], end["tick"])])


class TicksSource(DataSource):
    @classmethod
    def name(cls):
        return "ticks"

    def schema(self):
        return "tick BIGINT, square BIGINT"

    def simpleStreamReader(self, schema):
        return TicksReader()


def session():
    return (
        SparkSession.builder.master("local[2]")
        .appName("session-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )


def startup():
    t_builder = time.perf_counter()
    spark = session()
    t_session = time.perf_counter()
    spark.dataSource.register(TicksSource)
    batches = []
    five = threading.Event()

    def on_batch(batch_df, batch_id):
        batches.append((time.perf_counter(), batch_df.count()))
        if len(batches) >= 5:
            five.set()

    query = (
        spark.readStream.format("ticks")
        .load()
        .writeStream.foreachBatch(on_batch)
        .trigger(processingTime="100 milliseconds")
        .start()
    )
    five.wait()
    print(
        json.dumps(
            {
                "import_s": T_IMPORTED - T_START,
                "get_or_create_s": t_session - t_builder,
                "get_or_create_to_first_batch_s": batches[0][0] - t_builder,
                "rows_first_batch": batches[0][1],
            }
        ),
        flush=True,
    )
    sys.stdin.readline()
    query.stop()
    spark.stop()


def throughput(rows_per_batch, batch_count):
    spark = session()
    done = threading.Event()
    seen = []

    def on_batch(batch_df, batch_id):
        seen.append(batch_df.toArrow().num_rows)
        if len(seen) >= batch_count:
            done.set()

    query = (
        spark.readStream.format("rate-micro-batch")
        .option("rowsPerBatch", str(rows_per_batch))
        .load()
        .writeStream.foreachBatch(on_batch)
        .start()
    )
    done.wait()
    query.stop()
    for progress in query.recentProgress:
        print(progress.json, flush=True)
    spark.stop()


if MODE == "startup":
    startup()
else:
    throughput(int(sys.argv[3]), int(sys.argv[4]))
