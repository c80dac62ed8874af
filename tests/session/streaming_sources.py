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
}


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
