"""The sources bench/python_source_bench.py runs in rivulet. Rows are (long, string, double),
built by make_rows, which the benchmark also times on its own as the floor.

TupleSource      a simple reader: `rows_per_batch` rows a read until `total` rows, then no
                 more (so an available-now query ends).
PartitionSource  a partitioned reader: `partitions` partitions a batch, each of
                 `rows_per_partition` rows; unbounded (bound the query with --max-batches).
"""

from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    InputPartition,
    SimpleDataSourceStreamReader,
)
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

SCHEMA = StructType(
    [
        StructField("id", LongType()),
        StructField("name", StringType()),
        StructField("score", DoubleType()),
    ]
)


def make_rows(first, stop):
    return [(i, "name-%d" % i, i * 0.5) for i in range(first, stop)]


class _TupleReader(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.per_batch = int(options.get("rows_per_batch", "100000"))
        self.total = int(options.get("total", "1000000"))

    def initialOffset(self):
        return {"next": 0}

    def read(self, start):
        first = start["next"]
        stop = min(first + self.per_batch, self.total)
        if stop <= first:
            return iter([]), start
        return iter(make_rows(first, stop)), {"next": stop}

    def readBetweenOffsets(self, start, end):
        return iter(make_rows(start["next"], end["next"]))


class TupleSource(DataSource):
    def schema(self):
        return SCHEMA

    def simpleStreamReader(self, schema):
        return _TupleReader(self.options)


class _Slice(InputPartition):
    def __init__(self, first, stop):
        self.first = first
        self.stop = stop


class _PartitionReader(DataSourceStreamReader):
    def __init__(self, options):
        self.partitions_per_batch = int(options.get("partitions", "1"))
        self.per_partition = int(options.get("rows_per_partition", "100000"))

    def initialOffset(self):
        return {"next": 0}

    def latestOffset(self, start, limit):
        return {"next": start["next"] + self.partitions_per_batch * self.per_partition}

    def partitions(self, start, end):
        return [
            _Slice(first, first + self.per_partition)
            for first in range(start["next"], end["next"], self.per_partition)
        ]

    def read(self, partition):
        return iter(make_rows(partition.first, partition.stop))


class PartitionSource(DataSource):
    def schema(self):
        return SCHEMA

    def streamReader(self, schema):
        return _PartitionReader(self.options)
