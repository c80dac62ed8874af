"""A Spark 4.2 reader with admission control: by default at most two rows a batch
(ReadMaxRows(2)); ten rows when the engine asks for everything (ReadAllAvailable, as under a
once trigger). reportLatestOffset() gives a fixed far-away offset for progress reports."""

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import ReadAllAvailable, ReadLimit, ReadMaxRows


class TestDataStreamReader(DataSourceStreamReader):
    def initialOffset(self):
        return {"partition-1": 0}

    def getDefaultReadLimit(self):
        return ReadMaxRows(2)

    def latestOffset(self, start: dict, limit: ReadLimit):
        first = start["partition-1"]
        if isinstance(limit, ReadAllAvailable):
            end = first + 10
        else:
            assert isinstance(limit, ReadMaxRows), "expected ReadMaxRows, got %r" % (limit,)
            end = first + limit.max_rows
        return {"partition-1": end}

    def reportLatestOffset(self):
        return {"partition-1": 1000000}

    def partitions(self, start: dict, end: dict):
        return [InputPartition(i) for i in range(start["partition-1"], end["partition-1"])]

    def read(self, partition):
        yield (partition.value,)


class TestDataSource(DataSource):
    def schema(self) -> str:
        return "id INT"

    def streamReader(self, schema):
        return TestDataStreamReader()
