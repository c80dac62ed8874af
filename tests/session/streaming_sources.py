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
