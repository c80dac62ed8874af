"""The sources bench/spark_compare.py runs, the same classes on Apache Spark and on rivulet.

OneRowSource     a simple reader: one row a read, for ever (per-batch time).
TupleSource      a simple reader: `rows_per_batch` tuples a read (rows per second).
ArrowSource      a partitioned reader: two partitions a batch, each a pyarrow.RecordBatch
                 of `rows_per_batch` / 2 rows (rows per second).
ClockSource      a simple reader whose row i becomes available at start + i / `rate`
                 seconds; each row carries its index, so that the bench can tell when it was
                 available and when its batch committed (latency).
"""

import time

from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    InputPartition,
    SimpleDataSourceStreamReader,
)


class _OneRowReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}

    def read(self, start):
        n = start["n"]
        return iter([(n,)]), {"n": n + 1}

    def readBetweenOffsets(self, start, end):
        return iter([(i,) for i in range(start["n"], end["n"])])


class OneRowSource(DataSource):
    @classmethod
    def name(cls):
        return "one_row"

    def schema(self):
        return "id LONG"

    def simpleStreamReader(self, schema):
        return _OneRowReader()


def _tuples(first, stop):
    return [(i, "name-%d" % i, i * 0.5) for i in range(first, stop)]


class _TupleReader(SimpleDataSourceStreamReader):
    def __init__(self, per_batch):
        self.per_batch = per_batch

    def initialOffset(self):
        return {"next": 0}

    def read(self, start):
        first = start["next"]
        return iter(_tuples(first, first + self.per_batch)), {"next": first + self.per_batch}

    def readBetweenOffsets(self, start, end):
        return iter(_tuples(start["next"], end["next"]))


class TupleSource(DataSource):
    @classmethod
    def name(cls):
        return "tuples"

    def schema(self):
        return "id LONG, name STRING, score DOUBLE"

    def simpleStreamReader(self, schema):
        return _TupleReader(int(self.options.get("rows_per_batch", "100000")))


class _Range(InputPartition):
    def __init__(self, first, stop):
        self.first, self.stop = first, stop


class _ArrowReader(DataSourceStreamReader):
    def __init__(self, per_batch):
        self.per_batch = per_batch

    def initialOffset(self):
        return {"next": 0}

    def latestOffset(self, start=None, limit=None):
        # Spark 4.2's admission-control signature; every call admits one more batch.
        first = start["next"] if start else 0
        return {"next": first + self.per_batch}

    def partitions(self, start, end):
        first, stop = start["next"], end["next"]
        middle = (first + stop) // 2
        return [_Range(first, middle), _Range(middle, stop)]

    def read(self, partition):
        import pyarrow as pa
        import pyarrow.compute as pc

        ids = pa.array(range(partition.first, partition.stop), pa.int64())
        names = pa.array(["name-%d" % i for i in range(partition.first, partition.stop)])
        scores = pc.multiply(pc.cast(ids, pa.float64()), 0.5)
        yield pa.RecordBatch.from_arrays([ids, names, scores], ["id", "name", "score"])


class ArrowSource(DataSource):
    @classmethod
    def name(cls):
        return "arrow_rows"

    def schema(self):
        return "id LONG, name STRING, score DOUBLE"

    def streamReader(self, schema):
        return _ArrowReader(int(self.options.get("rows_per_batch", "100000")))


class _ClockReader(SimpleDataSourceStreamReader):
    def __init__(self, start, rate):
        self.start, self.rate = start, rate

    def initialOffset(self):
        return {"n": 0}

    def _available(self):
        return int((time.time() - self.start) * self.rate)

    def read(self, start):
        first, stop = start["n"], self._available()
        if stop <= first:
            return iter([]), start
        return iter([(i,) for i in range(first, stop)]), {"n": stop}

    def readBetweenOffsets(self, start, end):
        return iter([(i,) for i in range(start["n"], end["n"])])


class ClockSource(DataSource):
    @classmethod
    def name(cls):
        return "clock"

    def schema(self):
        return "id LONG"

    def simpleStreamReader(self, schema):
        return _ClockReader(float(self.options["start"]), float(self.options["rate"]))
