"""PySpark's Python Data Source API (``pyspark.sql.datasource``), for rivulet.

The classes, method names and defaults are PySpark's: a method a source does not implement
raises ``PySparkNotImplementedError`` (a ``NotImplementedError``) with the error class
``NOT_IMPLEMENTED``, and optional methods (``commit``, ``stop``, ``getDefaultReadLimit``,
``reportLatestOffset``) have do-nothing defaults.

Offsets are dicts (possibly nested) of JSON primitives. The engine keeps them as the text
``json.dumps`` gives, stores that text in its checkpoint and compares offsets by it, as Spark
does.
"""

from abc import ABC, abstractmethod
from collections import UserDict

from rivulet.errors import _not_implemented
from rivulet.sql.streaming.datasource import ReadAllAvailable, SupportsTriggerAvailableNow
from rivulet.sql.types import Row, StructType

# Filter pushdown classes, loaded on first use (see __getattr__ below).
_FILTERS = (
    "Filter",
    "EqualTo",
    "EqualNullSafe",
    "GreaterThan",
    "GreaterThanOrEqual",
    "LessThan",
    "LessThanOrEqual",
    "In",
    "IsNull",
    "IsNotNull",
    "Not",
    "StringStartsWith",
    "StringEndsWith",
    "StringContains",
)

__all__ = [
    "DataSource",
    "DataSourceReader",
    "DataSourceStreamReader",
    "SimpleDataSourceStreamReader",
    "DataSourceWriter",
    "DataSourceArrowWriter",
    "DataSourceStreamWriter",
    "DataSourceStreamArrowWriter",
    "InputPartition",
    "WriterCommitMessage",
    "CaseInsensitiveDict",
    "SupportsTriggerAvailableNow",
] + list(_FILTERS)

# Row and StructType are part of this module's namespace in PySpark too.
_reexported = (Row, StructType)


class DataSource(ABC):
    """A data source: creates the readers (and writers) of one configured instance.

    ``options`` is a case-insensitive dict of strings (the ``-o key=value`` options of
    ``rivulet run``). Do not override ``__init__``.
    """

    def __init__(self, options):
        self.options = options

    @classmethod
    def name(cls):
        """The format name the source is found by (case-insensitively); the class name
        unless overridden. Must stay a classmethod."""
        return cls.__name__

    def schema(self):
        """The schema, as a StructType or a DDL string ("a INT, b STRING"). Called only when
        the user gave no schema."""
        raise _not_implemented("schema")

    def reader(self, schema):
        raise _not_implemented("reader")

    def writer(self, schema, overwrite):
        raise _not_implemented("writer")

    def streamWriter(self, schema, overwrite):
        raise _not_implemented("streamWriter")

    def simpleStreamReader(self, schema):
        """A SimpleDataSourceStreamReader; used only when ``streamReader`` is not
        implemented."""
        raise _not_implemented("simpleStreamReader")

    def streamReader(self, schema):
        """A DataSourceStreamReader; wins over ``simpleStreamReader`` when both exist."""
        raise _not_implemented("streamReader")


class InputPartition:
    """One split of a batch, handed to ``read(partition)`` in a read worker. Must be
    picklable; subclasses (often dataclasses) need not set ``value``."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        attributes = ", ".join("%s=%r" % kv for kv in self.__dict__.items())
        return "%s(%s)" % (self.__class__.__name__, attributes)


class DataSourceReader(ABC):
    """A batch reader (kept for API completeness; rivulet runs streaming readers)."""

    def pushFilters(self, filters):
        return filters

    def partitions(self):
        raise _not_implemented("partitions")

    @abstractmethod
    def read(self, partition):
        ...


class DataSourceStreamReader(ABC):
    """A partitioned stream reader.

    Planning methods (``initialOffset``, ``latestOffset``, ``partitions``, ``commit``,
    ``stop``) run in one planning worker. ``read(partition)`` runs in a pool of read workers,
    each with its own reader instance: it must not depend on state that planning methods set.
    """

    def initialOffset(self):
        """The offset a new query starts from."""
        raise _not_implemented("initialOffset")

    def latestOffset(self, start, limit):
        """The end offset of the next batch, given its ``start`` and a read limit the reader
        must obey. Returning ``start`` means "no new data". Readers written for Spark 4.0
        may instead define ``latestOffset(self)`` without arguments; they keep working."""
        raise _not_implemented("latestOffset")

    def getDefaultReadLimit(self):
        """The limit used for batches of processing-time and available-now triggers."""
        return ReadAllAvailable()

    def reportLatestOffset(self):
        """The newest offset available, for progress reports only; None if unknown."""
        return None

    def partitions(self, start, end):
        """The partitions of the batch (start, end]. Called with start == end after a
        restart, and must then return an empty sequence."""
        raise _not_implemented("partitions")

    @abstractmethod
    def read(self, partition):
        """The rows of one partition: an iterator (or list) of tuples, lists, Rows or dicts,
        or of pyarrow RecordBatches."""
        raise _not_implemented("read")

    def commit(self, end):
        """The engine has processed every offset up to ``end``."""

    def stop(self):
        """The query is ending; release resources."""


class SimpleDataSourceStreamReader(ABC):
    """A stream reader that reads everything after a start offset in one call, in the
    planning worker, and reports the end offset itself: for small, low-rate sources."""

    def initialOffset(self):
        raise _not_implemented("initialOffset")

    def read(self, start):
        """Returns ``(rows, end)``: all rows after ``start`` and the offset the next read
        starts from. An empty read with ``end == start`` means "no new data"; rows with
        ``end == start`` are an error."""
        raise _not_implemented("read")

    def readBetweenOffsets(self, start, end):
        """Re-reads the rows of (start, end] deterministically, to replay a batch after a
        restart."""
        raise _not_implemented("readBetweenOffsets")

    def commit(self, end):
        """The engine has processed every offset up to ``end``."""


class DataSourceWriter(ABC):
    @abstractmethod
    def write(self, iterator):
        ...

    def commit(self, messages):
        ...

    def abort(self, messages):
        ...


class DataSourceArrowWriter(DataSourceWriter):
    @abstractmethod
    def write(self, iterator):
        ...


class DataSourceStreamWriter(ABC):
    @abstractmethod
    def write(self, iterator):
        ...

    def commit(self, messages, batchId):
        ...

    def abort(self, messages, batchId):
        ...


class DataSourceStreamArrowWriter(DataSourceStreamWriter):
    @abstractmethod
    def write(self, iterator):
        ...


class WriterCommitMessage:
    """What a writer's ``write`` returns to its ``commit``; must be picklable."""


class CaseInsensitiveDict(UserDict):
    """A dict whose string keys are matched case-insensitively (stored lower-cased)."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.update(*args, **kwargs)

    def __setitem__(self, key, value):
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def __delitem__(self, key):
        super().__delitem__(key.lower())

    def __contains__(self, key):
        if isinstance(key, str):
            return super().__contains__(key.lower())
        return False

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def copy(self):
        return type(self)(self)


def __getattr__(name):
    # Filter pushdown classes are dataclasses; they load on first use so that importing this
    # module stays cheap in the worker.
    if name in _FILTERS:
        from rivulet.sql import _filters

        return getattr(_filters, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
