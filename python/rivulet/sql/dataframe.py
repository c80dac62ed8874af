"""The batch DataFrame: what foreachBatch receives, what ``spark.table`` and ``spark.read``
return. It holds the engine's batches (or Arrow IPC streams read from files) and decodes
them on demand: ``toArrow()`` hands them to pyarrow without copying the columns,
``collect()`` decodes with rivulet's own codec (no pyarrow needed) into PySpark's ``Row``
values, local naive datetimes included.

Transformations (select, filter, ...) are not in rivulet: they raise, pointing at
``toPandas()`` / ``toArrow()``, and on a streaming DataFrame at ``foreachBatch``.
"""

import datetime as _dt

from rivulet.errors import PySparkNotImplementedError
from rivulet.sql import types as _T
from rivulet.sql._options import OptionsBuilder

__all__ = ["DataFrame", "DataFrameWriter"]

# DataFrame methods of PySpark that rivulet's DataFrames do not have: each raises a
# NOT_SUPPORTED error naming itself and what to use instead.
_TRANSFORMATIONS = frozenset(
    """select selectExpr filter where withColumn withColumns withColumnRenamed drop
    dropDuplicates distinct groupBy groupby agg join crossJoin union unionAll unionByName
    orderBy sort sortWithinPartitions limit repartition coalesce alias withWatermark
    dropna fillna na replace explode cube rollup intersect subtract exceptAll sample
    randomSplit createOrReplaceTempView createTempView createGlobalTempView cache persist
    foreach foreachPartition observe transform toDF""".split()
)


def _unsupported(method, streaming):
    where = (
        "a streaming DataFrame; transform each micro-batch in "
        "writeStream.foreachBatch(fn), where fn gets the batch as a DataFrame"
        if streaming
        else "rivulet's batch DataFrame; use toPandas() or toArrow() and transform there"
    )
    return PySparkNotImplementedError(
        errorClass="NOT_IMPLEMENTED",
        messageParameters={"feature": "DataFrame.%s on %s" % (method, where)},
    )


def _local_naive(value):
    return value.astimezone().replace(tzinfo=None)


def _python_converter(data_type, types=_T):
    """A function that turns a decoded value into what PySpark's collect() gives, or None
    when the decoded value already is that. ``types`` is the ``pyspark.sql.types`` the
    values are for: rivulet's, or real pyspark's in a worker whose sink uses it, whose
    VariantVal the variants become."""
    if isinstance(data_type, _T.TimestampType):
        return lambda v: None if v is None else _local_naive(v)
    if isinstance(data_type, _T.VariantType):
        variant = getattr(types, "VariantVal", _T.VariantVal)
        if variant is not _T.VariantVal:
            return lambda v: None if v is None else variant(v.value, v.metadata)
    if isinstance(data_type, _T.ArrayType):
        inner = _python_converter(data_type.elementType, types)
        if inner:
            return lambda v: None if v is None else [inner(x) for x in v]
    if isinstance(data_type, _T.MapType):
        key = _python_converter(data_type.keyType, types)
        value = _python_converter(data_type.valueType, types)
        if key or value:
            key, value = key or (lambda x: x), value or (lambda x: x)
            return lambda v: None if v is None else {key(a): value(b) for a, b in v.items()}
    if isinstance(data_type, _T.StructType):
        fields = [_python_converter(f.dataType, types) for f in data_type.fields]
        if any(fields):
            names = data_type.names
            fields = [f or (lambda x: x) for f in fields]
            return lambda v: None if v is None else _T._create_row(
                names, [f(x) for f, x in zip(fields, v)]
            )
    return None


def _is_ipc(part):
    """A part given as Arrow IPC stream bytes; the others are rivulet._engine.Batches."""
    return isinstance(part, (bytes, bytearray))


class DataFrame:
    """A batch of rows sharing one schema, in parts: Arrow IPC streams (bytes), or the
    engine's own batches (rivulet._engine.Batches: foreachBatch, the memory sink), which
    pyarrow reads in place and which are encoded as IPC only when rivulet's codec needs
    them (collect, show)."""

    def __init__(self, parts, session=None):
        self._parts = list(parts)
        self._session = session
        self._decoded = None
        self._ipc = None

    @property
    def isStreaming(self):
        return False

    @property
    def _streams(self):
        """The parts as Arrow IPC streams."""
        if self._ipc is None:
            self._ipc = [p if _is_ipc(p) else p.ipc() for p in self._parts]
        return self._ipc

    def _decode(self):
        if self._decoded is None:
            from rivulet._arrow_ipc.reader import decode_stream

            schema, rows = _T.StructType([]), []
            for stream in self._streams:
                schema, part = decode_stream(stream)
                rows.extend(part)
            self._decoded = schema, rows
        return self._decoded

    @property
    def schema(self):
        return self._decode()[0]

    @property
    def columns(self):
        return self.schema.names

    @property
    def dtypes(self):
        return [(f.name, f.dataType.simpleString()) for f in self.schema.fields]

    def printSchema(self):
        print(self.schema.treeString() if hasattr(self.schema, "treeString") else self.schema)

    def collect(self):
        schema, rows = self._decode()
        names = schema.names
        converters = [_python_converter(f.dataType) for f in schema.fields]
        if not any(converters):
            return [_T._create_row(names, row) for row in rows]
        converters = [c or (lambda x: x) for c in converters]
        return [
            _T._create_row(names, [c(v) for c, v in zip(converters, row)]) for row in rows
        ]

    def count(self):
        if self._decoded is None and not any(_is_ipc(p) for p in self._parts):
            return sum(p.num_rows for p in self._parts)
        return len(self._decode()[1])

    def isEmpty(self):
        return self.count() == 0

    def first(self):
        rows = self.head(1)
        return rows[0] if rows else None

    def head(self, n=None):
        if n is None:
            return self.first()
        return self.collect()[:n]

    def take(self, num):
        return self.collect()[:num]

    def tail(self, num):
        return self.collect()[-num:] if num > 0 else []

    def toLocalIterator(self, prefetchPartitions=False):
        return iter(self.collect())

    def show(self, n=20, truncate=True, vertical=False):
        if vertical:
            raise _unsupported("show(vertical=True)", False)
        from rivulet import _engine

        width = 20 if truncate is True else (0 if truncate is False else int(truncate))
        print(_engine.format_table(self._streams, n, width))

    def toArrow(self):
        """A pyarrow.Table whose columns are the engine's buffers, not copies."""
        import pyarrow as pa

        tables = [
            pa.ipc.open_stream(pa.py_buffer(p)).read_all()
            if _is_ipc(p)
            else pa.RecordBatchReader.from_stream(p).read_all()
            for p in self._parts
        ]
        if not tables:
            return pa.table({})
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]

    def toPandas(self):
        """As PySpark's toPandas(): timestamps in local time without a zone."""
        frame = self.toArrow().to_pandas()
        for name in frame.columns:
            column = frame[name]
            if getattr(column.dtype, "tz", None) is not None:
                frame[name] = column.dt.tz_convert(_local_zone()).dt.tz_localize(None)
        return frame

    @property
    def write(self):
        return DataFrameWriter(self)

    def __getattr__(self, name):
        if name in _TRANSFORMATIONS:
            raise _unsupported(name, False)
        raise AttributeError("'DataFrame' object has no attribute '%s'" % name)

    def __repr__(self):
        return "DataFrame[%s]" % ", ".join("%s: %s" % kv for kv in self.dtypes)


def _local_zone():
    return _dt.datetime.now().astimezone().tzinfo


class DataFrameWriter(OptionsBuilder):
    """``df.write``: saves a batch DataFrame as files through pyarrow/pandas
    (json lines, csv with a header, parquet), one part file per save, as Spark's layout."""

    _MODES = {"error", "errorifexists", "overwrite", "append", "ignore"}
    _case_insensitive = True

    def __init__(self, df):
        self._df = df
        self._format = "parquet"
        self._mode = "errorifexists"
        self._options = {}

    def mode(self, saveMode):
        mode = (saveMode or "errorifexists").lower()
        if mode not in self._MODES:
            from rivulet.errors import IllegalArgumentException

            raise IllegalArgumentException("Unknown save mode: %s. Accepted save modes are "
                                           "'overwrite', 'append', 'ignore', 'error', "
                                           "'errorifexists', 'default'." % saveMode)
        self._mode = mode
        return self

    def json(self, path, mode=None):
        return self.format("json").mode(mode or self._mode).save(path)

    def csv(self, path, mode=None, header=None):
        if header is not None:
            self.option("header", header)
        return self.format("csv").mode(mode or self._mode).save(path)

    def parquet(self, path, mode=None):
        return self.format("parquet").mode(mode or self._mode).save(path)

    def save(self, path=None, format=None, mode=None, **options):
        import os
        import shutil
        import uuid

        from rivulet.errors import AnalysisException

        if format:
            self.format(format)
        if mode:
            self.mode(mode)
        self.options(**options)
        if self._format not in ("json", "csv", "parquet"):
            raise _unsupported("write.format(%r)" % self._format, False)
        if path is None:
            raise AnalysisException("'path' is not specified")
        if os.path.exists(path):
            if self._mode in ("error", "errorifexists"):
                raise AnalysisException(
                    "[PATH_ALREADY_EXISTS] Path %s already exists. Set mode as "
                    '"overwrite" to overwrite the existing path.' % path
                )
            if self._mode == "ignore":
                return
            if self._mode == "overwrite":
                shutil.rmtree(path)
        os.makedirs(path, exist_ok=True)
        part = os.path.join(path, "part-00000-%s.%s" % (uuid.uuid4(), self._format))
        table = self._df.toArrow()
        if self._format == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, part)
        elif self._format == "csv":
            header = str(self._options.get("header", "false")).lower() == "true"
            self._df.toPandas().to_csv(part, index=False, header=header)
        else:
            self._df.toPandas().to_json(part, orient="records", lines=True, date_format="iso")
        open(os.path.join(path, "_SUCCESS"), "w").close()
