"""A partitioned reader that supports Trigger.AvailableNow: prepareForTriggerAvailableNow()
fixes the target at offset 10, and with its default ReadMaxRows(2) an available-now query
runs five batches of two rows, then stops."""

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import (
    ReadAllAvailable,
    ReadMaxRows,
    SupportsTriggerAvailableNow,
)


class AvailableNowStreamReader(DataSourceStreamReader, SupportsTriggerAvailableNow):
    target = None

    def initialOffset(self):
        return {"offset": 0}

    def getDefaultReadLimit(self):
        return ReadMaxRows(2)

    def prepareForTriggerAvailableNow(self):
        self.target = 10

    def latestOffset(self, start, limit):
        newest = self.target if self.target is not None else start["offset"] + 100
        if isinstance(limit, ReadAllAvailable):
            end = newest
        else:
            end = min(start["offset"] + limit.max_rows, newest)
        return {"offset": end}

    def partitions(self, start, end):
        return [InputPartition(i) for i in range(start["offset"], end["offset"])]

    def read(self, partition):
        yield (partition.value,)


class AvailableNowDataSource(DataSource):
    def schema(self):
        return "id INT"

    def streamReader(self, schema):
        return AvailableNowStreamReader()
