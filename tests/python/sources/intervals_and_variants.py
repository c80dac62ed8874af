"""A source and a sink of INTERVAL DAY TO SECOND and VARIANT columns, on pyspark's classes
(rivulet's when no real pyspark is installed). read() returns what Spark takes for them: a
timedelta, int microseconds or a float (truncated) for the interval, VariantVals for the
variants; with the option bad=bool (bad=bytes) a last row holds a value Spark refuses.
write() returns, for each row, whether its variant is the framework's VariantVal, the
variant's toPython() and the interval's str()."""

import datetime

from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, SimpleDataSourceStreamReader
from pyspark.sql.types import VariantVal

SCHEMA = "d INTERVAL DAY TO SECOND, v VARIANT, tags ARRAY<VARIANT>"


class IntervalsAndVariantsReader(SimpleDataSourceStreamReader):
    def __init__(self, bad):
        self.bad = bad

    def initialOffset(self):
        return {"n": 0}

    def read(self, start):
        return iter(self.readBetweenOffsets(start, {"n": start["n"] + 1})), {"n": start["n"] + 1}

    def readBetweenOffsets(self, start, end):
        rows = [
            (datetime.timedelta(days=1, microseconds=5), VariantVal.parseJson('{"a":[1,2.5,"x"]}'),
             [VariantVal.parseJson("null"), None]),
            (5, None, None),
            (1.5, VariantVal.parseJson("1e20"), []),
        ]
        if self.bad == "bool":
            rows.append((True, None, None))
        if self.bad == "bytes":
            rows.append((None, b"\x0c\x01", None))
        return iter(rows)


class DescribingWriter(DataSourceStreamWriter):
    def write(self, iterator):
        return [(type(row.v) is VariantVal, None if row.v is None else row.v.toPython(), str(row.d))
                for row in iterator]


class IntervalsAndVariants(DataSource):
    def schema(self):
        return SCHEMA

    def simpleStreamReader(self, schema):
        return IntervalsAndVariantsReader(self.options.get("bad"))

    def streamWriter(self, schema, overwrite):
        return DescribingWriter()
