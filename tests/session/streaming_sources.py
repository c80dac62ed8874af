"""Streaming sources shared by the session tests. They import real pyspark (installed in
the test environment), as a user's source written for Spark does; the same classes run on
Apache Spark and on rivulet."""

from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    InputPartition,
    SimpleDataSourceStreamReader,
)
from pyspark.sql.streaming.datasource import (
    ReadAllAvailable,
    ReadMaxRows,
    SupportsTriggerAvailableNow,
)


class CounterReader(SimpleDataSourceStreamReader):
    """Three rows per read() until `limit` rows (option), then nothing."""

    def __init__(self, limit):
        self.limit = limit

    def initialOffset(self):
        return {"next": 0}

    def read(self, start):
        n = start["next"]
        end = min(n + 3, self.limit)
        return iter([(i, "row %d" % i) for i in range(n, end)]), {"next": end}

    def readBetweenOffsets(self, start, end):
        return iter([(i, "row %d" % i) for i in range(start["next"], end["next"])])


class CounterSource(DataSource):
    @classmethod
    def name(cls):
        return "counter"

    def schema(self):
        return "id LONG, text STRING"

    def simpleStreamReader(self, schema):
        return CounterReader(int(self.options.get("limit", 9)))


class TargetReader(DataSourceStreamReader, SupportsTriggerAvailableNow):
    """Admission control: ReadMaxRows(2) by default, a target of `target` rows (option)
    once prepared for available-now; partitions of one row each."""

    def __init__(self, target):
        self.target = target
        self.prepared = None

    def initialOffset(self):
        return {"offset": 0}

    def getDefaultReadLimit(self):
        return ReadMaxRows(2)

    def prepareForTriggerAvailableNow(self):
        self.prepared = self.target

    def latestOffset(self, start, limit):
        newest = self.prepared if self.prepared is not None else self.target
        if isinstance(limit, ReadAllAvailable):
            return {"offset": newest}
        return {"offset": min(start["offset"] + limit.max_rows, newest)}

    def partitions(self, start, end):
        return [InputPartition(i) for i in range(start["offset"], end["offset"])]

    def read(self, partition):
        yield (partition.value, float(partition.value) / 2)


class TargetSource(DataSource):
    @classmethod
    def name(cls):
        return "target"

    def schema(self):
        return "id INT, half DOUBLE"

    def streamReader(self, schema):
        return TargetReader(int(self.options.get("target", 10)))


class FailingReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}

    def read(self, start):
        raise ValueError("the source broke on purpose")


class FailingSource(DataSource):
    @classmethod
    def name(cls):
        return "failing"

    def schema(self):
        return "id LONG"

    def simpleStreamReader(self, schema):
        return FailingReader()


TRICKY_TEXTS = ["plain", None, "", "  padded  ", 'has "quote"', '"starts', "back\\slash",
                "a,b", "line\nbreak", "#hash", "tab\there", 'quote" and \\ both', '\\"']


class TrickyTextReader(SimpleDataSourceStreamReader):
    """Text that CSV must quote and escape, with awkward doubles: a row per entry of
    TRICKY_TEXTS each read(), `batches` (option) times."""

    def __init__(self, batches):
        self.batches = batches

    def initialOffset(self):
        return {"batch": 0}

    def _rows(self, batch):
        doubles = [0.1, 1e20, float("nan"), -0.0, 1e-7, 123456789.0, 1e7, None]
        return [(batch * 100 + i, text, doubles[i % len(doubles)])
                for i, text in enumerate(TRICKY_TEXTS)]

    def read(self, start):
        n = start["batch"]
        if n >= self.batches:
            return iter([]), start
        return iter(self._rows(n)), {"batch": n + 1}

    def readBetweenOffsets(self, start, end):
        return iter([row for n in range(start["batch"], end["batch"]) for row in self._rows(n)])


class TrickyTextSource(DataSource):
    @classmethod
    def name(cls):
        return "tricky_text"

    def schema(self):
        return "id LONG, s STRING, d DOUBLE"

    def simpleStreamReader(self, schema):
        return TrickyTextReader(int(self.options.get("batches", 2)))


from pyspark.sql.datasource import (  # noqa: E402
    DataSourceStreamArrowWriter,
    DataSourceStreamWriter,
    WriterCommitMessage,
)


class RowsMessage(WriterCommitMessage):
    def __init__(self, lines):
        self.lines = lines


class LoggingWriter(DataSourceStreamWriter):
    """Appends each committed batch's rows to <path>/rows.jsonl and every call to
    <path>/calls.log; a batch id it committed before is skipped."""

    def __init__(self, path):
        self.path = path

    def write(self, iterator):
        import json

        return RowsMessage([json.dumps(row.asDict(), sort_keys=True) for row in iterator])

    def _log(self, line):
        import os

        os.makedirs(self.path, exist_ok=True)
        with open(os.path.join(self.path, "calls.log"), "a") as f:
            f.write(line + "\n")

    def commit(self, messages, batchId):
        import os

        self._log("commit %d %s" % (batchId, [len(m.lines) for m in messages]))
        marker = os.path.join(self.path, "committed-%d" % batchId)
        if os.path.exists(marker):
            return
        with open(os.path.join(self.path, "rows.jsonl"), "a") as f:
            for m in messages:
                f.writelines(line + "\n" for line in m.lines)
        open(marker, "w").close()

    def abort(self, messages, batchId):
        self._log("abort %d" % batchId)


class ArrowLoggingWriter(DataSourceStreamArrowWriter, LoggingWriter):
    """The same, from the pyarrow.RecordBatches an Arrow writer receives."""

    def write(self, iterator):
        import json

        lines = []
        for batch in iterator:
            assert type(batch).__name__ == "RecordBatch", type(batch)
            lines += [json.dumps(row, sort_keys=True) for row in batch.to_pylist()]
        return RowsMessage(lines)


class LoggingSink(DataSource):
    @classmethod
    def name(cls):
        return "logging_sink"

    def streamWriter(self, schema, overwrite):
        if self.options.get("arrow") == "true":
            return ArrowLoggingWriter(self.options["path"])
        return LoggingWriter(self.options["path"])


import datetime as _datetime  # noqa: E402
import decimal as _decimal  # noqa: E402

from pyspark.sql import Row as _Row  # noqa: E402
from pyspark.sql.types import VariantVal as _VariantVal  # noqa: E402

_UTC = _datetime.timezone.utc
_PLUS_TWO = _datetime.timezone(_datetime.timedelta(hours=2))

CONVERSIONS_SCHEMA = ("s STRING, i INT, d DOUBLE, dec DECIMAL(5,2), ts TIMESTAMP, "
                      "ntz TIMESTAMP_NTZ, p STRUCT<x: BIGINT, y: BIGINT>, a ARRAY<BIGINT>, "
                      "m MAP<STRING, INT>")

# Values that are not of their column's own Python type, which Spark converts.
CONVERSION_ROWS = [
    (7, 1.5, True, _decimal.Decimal("1.005"),
     _datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_UTC),
     _datetime.datetime(2024, 1, 2, 3, 4, 5), _Row(y=2, x=1), [1, 2], {"k": 1}),
    (True, -1.7, 3, _decimal.Decimal("123.456"),
     _datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=_PLUS_TWO),
     _datetime.datetime(1969, 12, 31, 23, 59, 59, 999999), {"y": 4, "x": 3}, [], {}),
    (None, None, None, _decimal.Decimal("NaN"), None, None, None, None, None),
    (_Row(b="x", a=1), 0.0, False, _decimal.Decimal("-0.015"),
     _datetime.datetime(2024, 6, 1, tzinfo=_UTC), None, (5, 6), [7], {"z": 3}),
]

# Reads Spark refuses, by the `case` option.
REFUSED_READS = {
    "dict_rows": lambda: iter([{"a": 1, "b": "x"}]),
    "renamed_row": lambda: iter([_Row(x=1, y="x")]),
    "short_row": lambda: iter([(1,)]),
    "a_list": lambda: [(1, "x")],  # a simple reader's rows may be any iterable
    # RecordBatches must have the schema's Arrow types, names and nullability.
    "arrow_long_for_int": lambda: iter([_arrow_batch([("a", "int64"), ("b", "string")])]),
    "arrow_renamed": lambda: iter([_arrow_batch([("x", "int32"), ("y", "string")])]),
    "arrow_wide": lambda: iter([_arrow_batch([("a", "int32"), ("b", "string"),
                                              ("c", "string")])]),
    "arrow_not_null": lambda: iter([_arrow_batch([("a", "int32"), ("b", "string")],
                                                 nullable=False)]),
    "arrow_large_string": lambda: iter([_arrow_batch([("a", "int32"), ("b", "large_string")])]),
    "arrow_matching": lambda: iter([_arrow_batch([("a", "int32"), ("b", "string")])]),
}


def _arrow_batch(columns, nullable=True):
    """One row, (1, "x", ...), in a RecordBatch of the given (name, pyarrow type) columns."""
    import pyarrow as pa

    fields = [pa.field(name, getattr(pa, kind)(), nullable=nullable) for name, kind in columns]
    values = [[1] if pa.types.is_integer(f.type) else ["x"] for f in fields]
    return pa.RecordBatch.from_arrays([pa.array(v, f.type) for v, f in zip(values, fields)],
                                      schema=pa.schema(fields))


class _OneReadReader(SimpleDataSourceStreamReader):
    """One read() of `rows` (a function giving the read's rows), then nothing."""

    def __init__(self, rows):
        self.rows = rows

    def initialOffset(self):
        return {"read": 0}

    def read(self, start):
        if start["read"] >= 1:
            return iter([]), start
        return self.rows(), {"read": 1}

    def readBetweenOffsets(self, start, end):
        return self.rows() if end["read"] > start["read"] else iter([])


class ConversionsSource(DataSource):
    @classmethod
    def name(cls):
        return "conversions"

    def schema(self):
        return CONVERSIONS_SCHEMA

    def simpleStreamReader(self, schema):
        return _OneReadReader(lambda: iter(CONVERSION_ROWS))


class RefusedReadSource(DataSource):
    @classmethod
    def name(cls):
        return "refused_read"

    def schema(self):
        return "a INT, b STRING"

    def simpleStreamReader(self, schema):
        return _OneReadReader(REFUSED_READS[self.options["case"]])


ALL_TYPES_SCHEMA = (
    "b BOOLEAN, t TINYINT, sm SMALLINT, i INT, l BIGINT, f FLOAT, d DOUBLE, "
    "dec DECIMAL(12,3), s STRING, bin BINARY, day DATE, ts TIMESTAMP, ntz TIMESTAMP_NTZ, "
    "arr ARRAY<STRUCT<k: STRING, v: ARRAY<INT>>>, m MAP<STRING, ARRAY<DOUBLE>>, "
    "nested STRUCT<inner: STRUCT<x: INT, when: TIMESTAMP>, tags: ARRAY<STRING>, "
    "props: MAP<INT, STRING>>, iv INTERVAL DAY TO SECOND, ivs ARRAY<INTERVAL DAY TO SECOND>, "
    "var VARIANT, vars MAP<STRING, VARIANT>")


def all_types_rows(batch):
    """Three rows per batch: one with a value in every column, nested ones included, one of
    nulls, and one of extremes. No null sits inside an array nested in a collection or in
    a map's values: Spark 4.3 fails on those (see NESTED_NULLS)."""
    n = batch * 10
    full = (
        batch % 2 == 0, -128 + n, 32767 - n, -2147483648 + n, 9007199254740993 + n,
        1.25 + n, -0.1 * (n + 1), _decimal.Decimal("123456789.125") + n, "text %d" % n,
        bytes([0, 255, n % 256]), _datetime.date(1969, 12, 31) + _datetime.timedelta(days=n),
        _datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=_PLUS_TWO),
        _datetime.datetime(1900, 1, 1, 0, 0, 0, 1),
        [_Row(k="a", v=[1, 2, 3]), _Row(k=None, v=None), _Row(k="", v=[])],
        {"x": [1.5, -2.0], "empty": []},
        _Row(inner=_Row(x=n, when=_datetime.datetime(2000, 1, 1, tzinfo=_UTC)),
             tags=["t", None], props={1: "one", 2: "two"}),
        _datetime.timedelta(days=1, hours=2, seconds=3, microseconds=5 + n),
        [_datetime.timedelta(0), _datetime.timedelta(microseconds=-1), n],
        _VariantVal.parseJson('{"z":[1,2.5,"x",{"deep":null}],"a":%d,"s":"\\u00e9"}' % n),
        {"k": _VariantVal.parseJson("[true,false,null,1e20,0.10,-7]")})
    nulls = (None,) * len(full)
    extremes = (
        True, 127, -32768, 2147483647, -9223372036854775808, float("inf"), float("-inf"),
        _decimal.Decimal("-999999999.999"), "ünïcødé \u2603 \U0001F600", b"",
        _datetime.date(1, 1, 1), _datetime.datetime(1970, 1, 1, tzinfo=_UTC),
        _datetime.datetime(9999, 12, 31, 23, 59, 59),
        [], {}, _Row(inner=None, tags=[], props={}),
        _datetime.timedelta(days=106751991, seconds=14454, microseconds=775807),
        [_datetime.timedelta(days=-1, microseconds=1)],
        _VariantVal.parseJson("12345678901234567890123"), {})
    return [full, nulls, extremes]


class AllTypesReader(SimpleDataSourceStreamReader, SupportsTriggerAvailableNow):
    """`batches` (option) batches of all_types_rows, then nothing."""

    def __init__(self, batches):
        self.batches = batches

    def initialOffset(self):
        return {"batch": 0}

    def prepareForTriggerAvailableNow(self):
        pass

    def read(self, start):
        n = start["batch"]
        if n >= self.batches:
            return iter([]), start
        return iter(all_types_rows(n)), {"batch": n + 1}

    def readBetweenOffsets(self, start, end):
        return iter([r for n in range(start["batch"], end["batch"]) for r in all_types_rows(n)])


class AllTypesSource(DataSource):
    @classmethod
    def name(cls):
        return "all_types"

    def schema(self):
        return ALL_TYPES_SCHEMA

    def simpleStreamReader(self, schema):
        return AllTypesReader(int(self.options.get("batches", 2)))


class ArrowPartitionsReader(DataSourceStreamReader):
    """A partitioned reader whose partitions yield pyarrow.RecordBatches (Spark's Arrow fast
    path): ReadMaxRows(6) by default, up to `limit` (option) values, 3 values a partition."""

    def __init__(self, limit):
        self.limit = limit

    def initialOffset(self):
        return {"next": 0}

    def getDefaultReadLimit(self):
        return ReadMaxRows(6)

    def latestOffset(self, start, limit):
        if isinstance(limit, ReadAllAvailable):
            return {"next": self.limit}
        return {"next": min(start["next"] + limit.max_rows, self.limit)}

    def partitions(self, start, end):
        return [InputPartition((first, min(first + 3, end["next"])))
                for first in range(start["next"], end["next"], 3)]

    def read(self, partition):
        import pyarrow as pa

        first, stop = partition.value
        values = list(range(first, stop))
        yield pa.RecordBatch.from_pydict(
            {"id": pa.array(values, pa.int64()),
             "label": pa.array([None if v % 4 == 0 else "v%d" % v for v in values])})


class ArrowPartitionsSource(DataSource):
    @classmethod
    def name(cls):
        return "arrow_partitions"

    def schema(self):
        return "id BIGINT, label STRING"

    def streamReader(self, schema):
        return ArrowPartitionsReader(int(self.options.get("limit", 10)))


# Nulls that Spark 4.3 cannot take from a Python source ("Value at index is null" from its
# Arrow reader), and rivulet delivers, by the `case` option.
NESTED_NULLS = {
    "in an array in a struct": ("s STRUCT<a: ARRAY<INT>>", _Row(a=[None])),
    "in an array in an array": ("a ARRAY<ARRAY<INT>>", [[1, None]]),
    "as a map's value": ("m MAP<STRING, INT>", {"x": None}),
}


class NestedNullSource(DataSource):
    @classmethod
    def name(cls):
        return "nested_null"

    def schema(self):
        return NESTED_NULLS[self.options["case"]][0]

    def simpleStreamReader(self, schema):
        value = NESTED_NULLS[self.options["case"]][1]
        return _OneReadReader(lambda: iter([(value,)]))
