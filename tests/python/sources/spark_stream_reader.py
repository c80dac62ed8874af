"""A partitioned reader written for Spark 4.0: latestOffset() takes no arguments and keeps its
own position. Each batch is two rows, {2k, 2k + 1}, read through a custom partition class."""

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition


class RangePartition(InputPartition):
    def __init__(self, start, end):
        self.start = start
        self.end = end


class TestStreamReader(DataSourceStreamReader):
    current = 0

    def initialOffset(self):
        return {"offset": 0}

    def latestOffset(self):
        self.current += 2
        return {"offset": self.current}

    def partitions(self, start, end):
        return [RangePartition(start["offset"], end["offset"])]

    def commit(self, end):
        pass

    def read(self, partition):
        for i in range(partition.start, partition.end):
            yield (i,)


class TestDataSource(DataSource):
    def schema(self):
        return "id INT"

    def streamReader(self, schema):
        return TestStreamReader()
