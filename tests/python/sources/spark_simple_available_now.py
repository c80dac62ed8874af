"""A simple reader that supports Trigger.AvailableNow: reads stop at the target offset 10,
after which a read returns its start offset and no rows."""

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader
from pyspark.sql.streaming.datasource import SupportsTriggerAvailableNow


class SimpleAvailableNowReader(SimpleDataSourceStreamReader, SupportsTriggerAvailableNow):
    def __init__(self):
        self.target = None

    def initialOffset(self):
        return {"offset": 0}

    def prepareForTriggerAvailableNow(self):
        self.target = {"offset": 10}

    def read(self, start: dict):
        first = start["offset"]
        last = first + 2 if self.target is None else min(first + 2, self.target["offset"])
        return (iter([(i,) for i in range(first, last)]), {"offset": last})

    def readBetweenOffsets(self, start: dict, end: dict):
        return iter([(i,) for i in range(start["offset"], end["offset"])])


class SimpleAvailableNowSource(DataSource):
    def schema(self):
        return "id INT"

    def simpleStreamReader(self, schema):
        return SimpleAvailableNowReader()
