"""The crash harness's Python sources: rows (value, payload) with value 0, 1, 2, ... and
a payload derived from it, `rows` (option, default 8) a batch, the same whatever restarts,
so that a sink's contents can be checked against what the source must have produced.
ChaosSimple's `read_ms` makes each read take that long."""

import time

from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    InputPartition,
    SimpleDataSourceStreamReader,
)


def payload(value):
    return "p%d" % (value * 7919 % 10007)


def rows_between(first, end):
    return [(v, payload(v)) for v in range(first, end)]


class ChaosSimpleReader(SimpleDataSourceStreamReader):
    def __init__(self, rows, read_ms):
        self.rows = rows
        self.read_ms = read_ms

    def initialOffset(self):
        return {"next": 0}

    def read(self, start):
        # A read slower than a batch's commit is asked while the batch before it commits.
        if self.read_ms:
            time.sleep(self.read_ms / 1000)
        first = start["next"]
        return iter(rows_between(first, first + self.rows)), {"next": first + self.rows}

    def readBetweenOffsets(self, start, end):
        return iter(rows_between(start["next"], end["next"]))


class ChaosSimple(DataSource):
    @classmethod
    def name(cls):
        return "chaos_simple"

    def schema(self):
        return "value LONG, payload STRING"

    def simpleStreamReader(self, schema):
        return ChaosSimpleReader(int(self.options.get("rows", 8)),
                                 int(self.options.get("read_ms", 0)))


class Range(InputPartition):
    def __init__(self, first, end):
        self.first = first
        self.end = end


class ChaosPartitionedReader(DataSourceStreamReader):
    """Two partitions a batch."""

    def __init__(self, rows):
        self.rows = rows

    def initialOffset(self):
        return {"next": 0}

    def latestOffset(self, start, limit):
        return {"next": start["next"] + self.rows}

    def partitions(self, start, end):
        middle = (start["next"] + end["next"]) // 2
        return [Range(start["next"], middle), Range(middle, end["next"])]

    def read(self, partition):
        return iter(rows_between(partition.first, partition.end))


class ChaosPartitioned(DataSource):
    @classmethod
    def name(cls):
        return "chaos_partitioned"

    def schema(self):
        return "value LONG, payload STRING"

    def streamReader(self, schema):
        return ChaosPartitionedReader(int(self.options.get("rows", 8)))
