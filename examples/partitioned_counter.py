"""A partitioned stream reader: a counter split into several partitions per batch, read in
parallel by rivulet's read workers.

    rivulet run --source examples/partitioned_counter.py:PartitionedCounter \
        -o partitions=4 -o rows_per_batch=1000 ...

The offset is the next value to produce. Each batch admits `rows_per_batch` values (or fewer
under a ReadMaxRows limit, or all up to `limit` under ReadAllAvailable when a limit is set),
split into `partitions` contiguous ranges; each range is one partition, whose read yields
(value, partition index, value squared). With `limit` set the counter stops there, so an
available-now query ends.
"""

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import (
    ReadAllAvailable,
    ReadMaxRows,
    SupportsTriggerAvailableNow,
)


class CounterRange(InputPartition):
    def __init__(self, index, first, stop):
        self.index = index
        self.first = first
        self.stop = stop


class PartitionedCounterReader(DataSourceStreamReader, SupportsTriggerAvailableNow):
    def __init__(self, partitions, rows_per_batch, limit):
        self.partitions_per_batch = partitions
        self.rows_per_batch = rows_per_batch
        self.limit = limit
        self.target = None

    def initialOffset(self):
        return {"next": 0}

    def getDefaultReadLimit(self):
        return ReadMaxRows(self.rows_per_batch)

    def prepareForTriggerAvailableNow(self):
        self.target = self.limit

    def latestOffset(self, start, limit):
        first = start["next"]
        stop = self.target if self.target is not None else self.limit
        if isinstance(limit, ReadAllAvailable):
            end = stop if stop is not None else first + self.rows_per_batch
        else:
            end = first + limit.max_rows
            if stop is not None:
                end = min(end, stop)
        return {"next": max(end, first)}

    def reportLatestOffset(self):
        return {"next": self.limit} if self.limit is not None else None

    def partitions(self, start, end):
        first, stop = start["next"], end["next"]
        count = stop - first
        if count <= 0:
            return []
        n = min(self.partitions_per_batch, count)
        bounds = [first + count * i // n for i in range(n + 1)]
        return [CounterRange(i, bounds[i], bounds[i + 1]) for i in range(n)]

    def read(self, partition):
        for value in range(partition.first, partition.stop):
            yield (value, partition.index, value * value)


class PartitionedCounter(DataSource):
    """Options: partitions (default 4), rows_per_batch (default 1000), limit (default none)."""

    @classmethod
    def name(cls):
        return "partitioned_counter"

    def schema(self):
        return "value BIGINT NOT NULL, partition INT NOT NULL, square BIGINT NOT NULL"

    def streamReader(self, schema):
        limit = self.options.get("limit")
        return PartitionedCounterReader(
            int(self.options.get("partitions", "4")),
            int(self.options.get("rows_per_batch", "1000")),
            int(limit) if limit is not None else None,
        )
