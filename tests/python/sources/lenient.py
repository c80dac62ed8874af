"""The leniencies real PySpark sources rely on, all in one partitioned source and one simple
one: offsets returned as JSON strings, partitions that are plain dicts or dataclasses that
never set .value, Rows with nested Rows for structs (by position, as Spark takes them),
tuples, and timezone-aware datetimes for timestamps. With the option strict=list (strict=dict)
read() returns a list (rows as dicts), which Spark 4.3 refuses, and so does rivulet."""

import datetime
import json
from dataclasses import dataclass

from pyspark.sql import Row
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, SimpleDataSourceStreamReader

SCHEMA = "id INT, name STRING, at TIMESTAMP, point STRUCT<x: DOUBLE, y: DOUBLE>, tags ARRAY<STRING>"
UTC = datetime.timezone.utc
PLUS_TWO = datetime.timezone(datetime.timedelta(hours=2))


@dataclass
class Slice:
    first: int
    stop: int


def _row(i):
    at = datetime.datetime(2024, 1, 1, 12, 0, i, tzinfo=PLUS_TWO if i % 2 else UTC)
    if i % 3 == 0:
        return (i, "n%d" % i, at, Row(x=float(i), y=-1.0), ["a"])
    return Row(id=i, name="n%d" % i, at=at, point=Row(x=float(i), y=-1.0), tags=[])


class LenientReader(DataSourceStreamReader):
    def __init__(self, strict=None):
        self.strict = strict

    def initialOffset(self):
        return json.dumps({"n": 0})  # a JSON string, not a dict

    def latestOffset(self, start, limit):
        n = json.loads(start)["n"]
        return json.dumps({"n": n + 4})

    def partitions(self, start, end):
        first, stop = json.loads(start)["n"], json.loads(end)["n"]
        middle = (first + stop) // 2
        return [{"first": first, "stop": middle}, Slice(middle, stop)]

    def read(self, partition):
        if isinstance(partition, dict):
            first, stop = partition["first"], partition["stop"]
        else:
            first, stop = partition.first, partition.stop
        if self.strict == "list":
            return [_row(i) for i in range(first, stop)]  # a list, not an iterator
        if self.strict == "dict":
            return iter([{"id": i, "name": "n", "at": None, "point": None, "tags": None}
                         for i in range(first, stop)])
        return (_row(i) for i in range(first, stop))


class LenientSimpleReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}

    def read(self, start):
        n = start["n"]
        return iter([_row(n), _row(n + 1)]), {"n": n + 2}

    def readBetweenOffsets(self, start, end):
        return iter([_row(i) for i in range(start["n"], end["n"])])


class LenientSource(DataSource):
    def schema(self):
        return SCHEMA

    def streamReader(self, schema):
        if self.options.get("kind") == "simple":
            return super().streamReader(schema)
        return LenientReader(self.options.get("strict"))

    def simpleStreamReader(self, schema):
        return LenientSimpleReader()
