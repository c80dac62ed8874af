"""PySpark's ``DataStreamReader`` (``spark.readStream``) and ``DataStreamWriter``
(``df.writeStream``), and the streaming DataFrame between them.

A streaming DataFrame is a source and its options: rivulet runs no transformations on it
(each raises, pointing at foreachBatch). ``writeStream...start()`` hands the source, the
sink and the trigger to the session's engine:

- a registered Python DataSource travels to the workers as cloudpickle bytes (by value when
  its module is not installed, so classes in ``__main__``, notebooks and test modules work);
- built-in sources (``rate``, ``rate-micro-batch``, ``files``) and sinks (``console``,
  ``json``, ``arrow``, ``noop``) run in C++;
- ``foreachBatch(fn)`` and the ``memory`` sink run in this interpreter: the engine calls
  back with each batch as Arrow IPC.
"""

import os as _os
import re as _re
import sys as _sys
import tempfile as _tempfile
import uuid as _uuid

from rivulet.errors import AnalysisException, PySparkTypeError, PySparkValueError
from rivulet.sql._options import OptionsBuilder, option_text
from rivulet.sql.dataframe import _TRANSFORMATIONS, DataFrame, _unsupported
from rivulet.sql.streaming.query import StreamingQuery

__all__ = ["DataStreamReader", "DataStreamWriter"]

_BUILTIN_SOURCES = {"rate", "rate-micro-batch", "files"}
_BUILTIN_SINKS = {"console", "json", "csv", "arrow", "sqlite", "postgres", "noop"}
# Sinks that may run on a temporary checkpoint, as in Spark (file sinks need a real one).
_TEMP_CHECKPOINT_SINKS = {"console", "noop", "memory", "foreachBatch"}

_FOREACH_BATCH_ERROR = (
    "[FOREACH_BATCH_USER_FUNCTION_ERROR] An error occurred in the user provided function "
    "in foreach batch sink. Reason: "
)


def _schema_ddl(schema):
    """A DDL string for .schema(): DDL text, or a StructType (rivulet's or PySpark's)."""
    if isinstance(schema, str):
        return schema
    if hasattr(schema, "json") and hasattr(schema, "fields"):
        from rivulet.sql import types as _T

        struct = _T._parse_datatype_json_string(schema.json())
        return ", ".join(_T._field_ddl(f, " ") for f in struct.fields)
    raise PySparkTypeError(
        errorClass="NOT_STR_OR_STRUCT",
        messageParameters={"arg_name": "schema", "arg_type": type(schema).__name__},
    )


class DataStreamReader(OptionsBuilder):
    def __init__(self, session):
        self._session = session
        self._format = None
        self._options = {}
        self._schema = None

    def schema(self, schema):
        self._schema = _schema_ddl(schema)
        return self

    def load(self, path=None, format=None, schema=None, **options):
        if format is not None:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        self.options(**options)
        if path is not None:
            self.option("path", path)
        if self._format is None:
            raise AnalysisException("rivulet needs a source format: readStream.format(name)")
        source = self._session._data_sources.get(self._format.lower())
        if source is None and self._format.lower() not in _BUILTIN_SOURCES:
            raise AnalysisException(
                "[DATA_SOURCE_NOT_FOUND] Failed to find the data source: %s. Register a "
                "Python data source with spark.dataSource.register(cls)." % self._format
            )
        return StreamingDataFrame(self._session, self._format, source, dict(self._options),
                                  self._schema)


class StreamingDataFrame:
    """``spark.readStream...load()``: a source to start queries on."""

    def __init__(self, session, format, source_class, options, schema_ddl):
        self._session = session
        self._format = format
        self._source_class = source_class
        self._options = options
        self._schema_ddl = schema_ddl
        self._schema = None

    @property
    def isStreaming(self):
        return True

    @property
    def schema(self):
        """The user's schema, else the source's: a Python source's schema() runs here."""
        if self._schema is None:
            from rivulet.sql import types as _T

            ddl = self._schema_ddl
            if ddl is None and self._source_class is not None:
                from rivulet.sql.datasource import CaseInsensitiveDict

                declared = self._source_class(CaseInsensitiveDict(self._options)).schema()
                ddl = _schema_ddl(declared)
            if ddl is None:
                from rivulet import _engine

                ddl = _engine.builtin_schema(self._format, self._options)
            self._schema = _T._parse_ddl_schema(ddl)
        return self._schema

    @property
    def columns(self):
        return self.schema.names

    @property
    def dtypes(self):
        return [(f.name, f.dataType.simpleString()) for f in self.schema.fields]

    def printSchema(self):
        print(self.schema)

    @property
    def writeStream(self):
        return DataStreamWriter(self)

    def __getattr__(self, name):
        if name in _TRANSFORMATIONS or hasattr(DataFrame, name):
            raise _unsupported(name, True)
        raise AttributeError("'DataFrame' object has no attribute '%s'" % name)

    def _source_args(self):
        args = _class_args(self._format, self._source_class)
        args.options = dict(self._options)
        args.schema_ddl = self._schema_ddl
        return args

    def __repr__(self):
        return "DataFrame[streaming: %s]" % self._format


def _class_args(name, cls):
    """The engine's description of a source or sink: a built-in by name, or a Python
    DataSource class that its workers load."""
    from rivulet import _engine

    args = _engine.SourceArgs()
    args.name = name
    if cls is not None:
        args.pickled_class = _pickle_class(cls)
        args.python = _sys.executable
        args.python_path = _worker_path()
    return args


def _pickle_class(cls):
    """cloudpickle bytes of a DataSource class: by reference when its module is a file the
    workers can import (they get this interpreter's extra sys.path entries), so tracebacks
    name its lines; by value for classes of ``__main__``, notebooks and modules without a
    file."""
    import cloudpickle

    module = _sys.modules.get(cls.__module__)
    by_value = module is not None and not _importable_by_workers(module)
    if by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(cls)
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)


def _importable_by_workers(module):
    return module.__name__ != "__main__" and bool(getattr(module, "__file__", None))


def _worker_path():
    """This interpreter's sys.path entries beyond the installation's: what a source's
    imports may need in the workers (the script's directory, PYTHONPATH)."""
    roots = {_os.path.realpath(p) for p in (_sys.prefix, _sys.base_prefix)}
    out = []
    for entry in _sys.path:
        real = _os.path.realpath(entry or _os.getcwd())
        if not any(real == r or real.startswith(r + _os.sep) for r in roots) and real not in out:
            out.append(real)
    return out


_INTERVAL = _re.compile(
    r"^\s*(?:interval\s+)?(\d+(?:\.\d+)?)\s*"
    r"(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?)\s*$",
    _re.IGNORECASE,
)
_UNIT_MS = {"ms": 1, "mi": 1, "s": 1000, "se": 1000, "m": 60000, "h": 3600000, "d": 86400000}


def _interval_ms(text):
    match = _INTERVAL.match(text)
    if match is None:
        raise PySparkValueError(
            errorClass="VALUE_NOT_NON_EMPTY_STR",
            messageParameters={"arg_name": "processingTime", "arg_value": repr(text)},
        )
    unit = match.group(2).lower()
    key = "ms" if unit == "ms" else ("mi" if unit.startswith("milli") else unit[:2])
    if key not in _UNIT_MS:
        key = unit[0]
    return int(float(match.group(1)) * _UNIT_MS[key])


# Session confs that time an idle query, by the engine's name for each: Spark's two, and
# rivulet's cap on the polling backoff (the wait doubles from pollingDelay up to it).
_WAIT_CONFS = {
    "pollingDelay": "spark.sql.streaming.pollingDelay",
    "noDataProgressEventInterval": "spark.sql.streaming.noDataProgressEventInterval",
    "maxPollingDelay": "rivulet.sql.streaming.maxPollingDelay",
}


def _waits_ms(session):
    """The wait confs the session sets, in milliseconds. As Spark reads a time conf, a bare
    number is milliseconds ("10", "10ms", "1s", "2 minutes")."""
    waits = {}
    for name, key in _WAIT_CONFS.items():
        value = session.conf.get(key, None)
        if value is None:
            continue
        text = str(value).strip()
        try:
            waits[name] = int(text) if text.isdigit() else _interval_ms(text)
        except PySparkValueError:
            raise PySparkValueError(
                errorClass="INVALID_CONF_VALUE",
                messageParameters={"conf": key, "value": repr(value)},
            ) from None
    return waits


class DataStreamWriter(OptionsBuilder):
    def __init__(self, df):
        self._df = df
        self._format = "console"
        self._options = {}
        self._output_mode = "append"
        self._trigger = "default"
        self._trigger_ms = 0
        self._query_name = None
        self._foreach_batch = None

    def outputMode(self, outputMode):
        mode = (outputMode or "").lower()
        if mode not in ("append", "update", "complete"):
            raise PySparkValueError(
                errorClass="VALUE_NOT_ALLOWED",
                messageParameters={"arg_name": "outputMode",
                                   "allowed_values": "append, complete, update"},
            )
        if mode == "complete":
            raise AnalysisException(
                "Complete output mode not supported when there are no streaming "
                "aggregations on streaming DataFrames/Datasets"
            )
        self._output_mode = mode
        return self

    def queryName(self, queryName):
        if not queryName or not isinstance(queryName, str):
            raise PySparkValueError(
                errorClass="VALUE_NOT_NON_EMPTY_STR",
                messageParameters={"arg_name": "queryName", "arg_value": str(queryName)},
            )
        self._query_name = queryName
        return self

    def trigger(self, *, processingTime=None, once=None, continuous=None, availableNow=None):
        given = [v for v in (processingTime, once, continuous, availableNow) if v is not None]
        if len(given) != 1:
            raise PySparkValueError(
                errorClass="ONLY_ALLOW_SINGLE_TRIGGER", messageParameters={}
            )
        if continuous is not None:
            raise _unsupported("writeStream.trigger(continuous=...)", False)
        if processingTime is not None:
            if not isinstance(processingTime, str) or not processingTime.strip():
                raise PySparkValueError(
                    errorClass="VALUE_NOT_NON_EMPTY_STR",
                    messageParameters={"arg_name": "processingTime",
                                       "arg_value": repr(processingTime)},
                )
            self._trigger_ms = _interval_ms(processingTime)
            self._trigger = (
                "processing-time=%dms" % self._trigger_ms if self._trigger_ms else "default"
            )
        elif once is not None:
            if once is not True:
                raise PySparkValueError(
                    errorClass="VALUE_NOT_TRUE",
                    messageParameters={"arg_name": "once", "arg_value": str(once)},
                )
            self._trigger = "once"
        else:
            if availableNow is not True:
                raise PySparkValueError(
                    errorClass="VALUE_NOT_TRUE",
                    messageParameters={"arg_name": "availableNow", "arg_value": str(availableNow)},
                )
            self._trigger = "available-now"
        return self

    def foreachBatch(self, func):
        if not callable(func):
            raise PySparkTypeError(
                errorClass="NOT_CALLABLE",
                messageParameters={"arg_name": "func", "arg_type": type(func).__name__},
            )
        self._foreach_batch = func
        return self

    def foreach(self, f):
        raise _unsupported("writeStream.foreach (use foreachBatch)", False)

    def partitionBy(self, *cols):
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = cols[0]
        for col in cols:
            if not isinstance(col, str) or "," in col:
                raise PySparkTypeError(
                    errorClass="NOT_LIST_OF_STR",
                    messageParameters={"arg_name": "cols", "arg_type": type(col).__name__},
                )
        # The file sinks take the columns as an option, as Spark passes them.
        self._options["partitionBy"] = ",".join(cols)
        return self

    def toTable(self, tableName, **kwargs):
        raise _unsupported("writeStream.toTable", False)

    def start(self, path=None, format=None, outputMode=None, partitionBy=None,
              queryName=None, **options):
        if format is not None:
            self.format(format)
        if outputMode is not None:
            self.outputMode(outputMode)
        if partitionBy is not None:
            self.partitionBy(partitionBy)
        if queryName is not None:
            self.queryName(queryName)
        self.options(**options)
        if path is not None:
            self.option("path", path)
        return _start(self)


def _start(writer):
    df = writer._df
    session = df._session
    sink = "foreachBatch" if writer._foreach_batch is not None else writer._format.lower()
    options = {k.lower(): v for k, v in writer._options.items()}
    checkpoint_option = options.pop("checkpointlocation", None)
    # rivulet's own: run on a checkpoint another source wrote (Spark ignores the option).
    allow_source_change = str(options.pop("allowsourcechange", "false")).lower() == "true"
    name = writer._query_name or ""
    if name and any(q.name == name for q in session.streams.active):
        raise AnalysisException(
            "Cannot start query with name %s as a query with that name is already active "
            "in this SparkSession" % name
        )

    callback = None
    python_sink = None
    if sink == "foreachBatch":
        description, callback = "ForeachBatchSink", _ForeachBatch(writer._foreach_batch, session)
    elif sink == "memory":
        if not name:
            raise AnalysisException("queryName must be specified for memory sink.")
        description, callback = "MemorySink", session._memory_table(name)
    elif sink in _BUILTIN_SINKS:
        description = sink
    elif sink in session._data_sources:
        # A Python DataSource with a streamWriter: the engine runs it in workers.
        description = sink
        python_sink = _class_args(writer._format, session._data_sources[sink])
    else:
        raise AnalysisException(
            "[DATA_SOURCE_NOT_FOUND] Failed to find the data source: %s. rivulet's sinks: "
            "console, json, csv, arrow, sqlite, postgres, noop, memory, foreachBatch, and "
            "Python data sources registered with spark.dataSource.register(cls)." % writer._format
        )

    temp = None
    checkpoint = checkpoint_option
    if checkpoint is None:
        root = session.conf.get("spark.sql.streaming.checkpointLocation", None)
        if root:
            checkpoint = _os.path.join(root, name or str(_uuid.uuid4()))
        elif sink in _TEMP_CHECKPOINT_SINKS:
            checkpoint = temp = _tempfile.mkdtemp(prefix="temporary-")
        else:
            raise AnalysisException(
                'checkpointLocation must be specified either through option("checkpointLocation", '
                '...) or SparkSession.conf.set("spark.sql.streaming.checkpointLocation", ...).'
            )
    query = StreamingQuery(session, None, _plan(df, sink, description, writer), temp)
    if callback is not None and sink == "foreachBatch":
        callback.query = query
    try:
        handle = session._engine.start(
            df._source_args(), description if callback is not None else sink, options,
            callback, checkpoint, writer._trigger, name,
            failure_prefix=_FOREACH_BATCH_ERROR if sink == "foreachBatch" else "",
            # Spark's ForeachBatchSink cannot count what the function wrote: -1.
            sink_reports_rows=sink != "foreachBatch",
            python_sink=python_sink,
            allow_source_change=allow_source_change,
            waits_ms=_waits_ms(session),
        )
    except BaseException:
        if temp:
            import shutil

            shutil.rmtree(temp, ignore_errors=True)
        raise
    query._handle = handle
    session.streams._register(query)
    return query


class _ForeachBatch:
    """The engine's callback for foreachBatch: builds the batch DataFrame and calls the
    user's function; its exception fails the query and is kept as the cause."""

    def __init__(self, func, session):
        self.func = func
        self.session = session
        self.query = None

    def __call__(self, batch_id, batches):
        try:
            self.func(DataFrame([batches], self.session), batch_id)
        except BaseException as e:
            if self.query is not None:
                self.query._user_error = e
            raise


def _plan(df, sink, description, writer):
    columns = ", ".join(df._schema_ddl.split(",")) if df._schema_ddl else "*"
    kind = "(Python)" if df._source_class is not None else "(built-in)"
    return (
        "== Physical Plan ==\n"
        "WriteToMicroBatchDataSource %s, trigger: %s, outputMode: %s\n"
        "+- MicroBatchScan[%s] %s %s"
        % (description if sink != writer._format.lower() else sink, writer._trigger,
           writer._output_mode.capitalize(), columns, df._format, kind)
    )
