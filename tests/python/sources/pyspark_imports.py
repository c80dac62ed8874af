"""Imports at module load what real PySpark sources import, all of which must resolve in a
rivulet worker; the reader reports which modules it got."""

import pyspark
import pyspark.cloudpickle
from pyspark.cloudpickle import dumps, loads
from pyspark.errors import PySparkException, PySparkNotImplementedError
from pyspark.sql import DataFrame, Row, SparkSession, VariantVal
from pyspark.sql.datasource import DataSource, InputPartition, SimpleDataSourceStreamReader
from pyspark.sql.streaming.datasource import ReadAllAvailable, ReadMaxRows, SupportsTriggerAvailableNow
from pyspark.sql.types import DayTimeIntervalType, IntegerType, StringType, StructField, StructType, VariantType

assert loads(dumps({"round": "trip"})) == {"round": "trip"}
assert VariantVal.parseJson("[1]").toJson() == "[1]" and VariantType().simpleString() == "variant"
assert DayTimeIntervalType().simpleString() == "interval day to second"


class ImportsReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}

    def read(self, start):
        n = start["n"]
        where = DataSource.__module__ + " " + pyspark.__file__
        return iter([Row(id=n, where=where)]), {"n": n + 1}


class ImportsSource(DataSource):
    def schema(self):
        return StructType([StructField("id", IntegerType()), StructField("where", StringType())])

    def simpleStreamReader(self, schema):
        assert isinstance(schema, StructType), type(schema)
        return ImportsReader()
