"""A simple reader whose every other read advances the offset without returning rows (an
empty batch is legal when the offset moves): odd reads are empty, even reads give two rows."""

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader


class EmptyBatchReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def read(self, start: dict):
        n = start["offset"]
        if n % 4 == 2:  # an empty batch that still moves the offset
            return (iter([]), {"offset": n + 2})
        return (iter([(n // 2 + i,) for i in range(2)]), {"offset": n + 2})

    def readBetweenOffsets(self, start: dict, end: dict):
        rows = []
        for n in range(start["offset"], end["offset"], 2):
            if n % 4 != 2:
                rows.extend((n // 2 + i,) for i in range(2))
        return iter(rows)


class EmptyBatchSource(DataSource):
    def schema(self):
        return "id INT"

    def simpleStreamReader(self, schema):
        return EmptyBatchReader()
