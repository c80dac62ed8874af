"""A simple reader: every read returns the next two rows; readBetweenOffsets replays a batch
deterministically."""

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader


class SimpleStreamReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def read(self, start: dict):
        first = start["offset"]
        rows = iter([(i,) for i in range(first, first + 2)])
        return (rows, {"offset": first + 2})

    def readBetweenOffsets(self, start: dict, end: dict):
        return iter([(i,) for i in range(start["offset"], end["offset"])])

    def commit(self, end):
        pass


class SimpleDataSource(DataSource):
    def schema(self):
        return "id INT"

    def simpleStreamReader(self, schema):
        return SimpleStreamReader()
