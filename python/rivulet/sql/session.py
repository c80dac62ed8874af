"""PySpark's ``SparkSession`` for streaming: ``from rivulet import SparkSession`` in place of
``from pyspark.sql import SparkSession``.

A session owns one engine runtime (rivulet._engine.Engine): its queries share executors,
the block-manager budget and the Python worker supervisor. ``spark.stop()`` and interpreter
exit stop its queries and end its workers.
"""

import atexit as _atexit
import os as _os
import threading as _threading

from rivulet.errors import AnalysisException

__all__ = ["SparkSession", "RuntimeConfig", "DataSourceRegistration"]

# The Spark version whose API this session follows.
_SPARK_API_VERSION = "4.3.0"

_lock = _threading.RLock()
_active = None


class RuntimeConfig:
    """``spark.conf``: string settings. Those rivulet reads: spark.app.name,
    spark.sql.streaming.checkpointLocation."""

    _UNSET = object()

    def __init__(self, settings):
        self._settings = dict(settings)

    def set(self, key, value):
        self._settings[key] = value if isinstance(value, str) else (
            ("true" if value else "false") if isinstance(value, bool) else str(value)
        )

    def get(self, key, default=_UNSET):
        if key in self._settings:
            return self._settings[key]
        if default is not RuntimeConfig._UNSET:
            return default
        from rivulet.errors import PySparkException

        raise PySparkException(
            errorClass="SQL_CONF_NOT_FOUND",
            messageParameters={"sqlConf": key},
        )

    def unset(self, key):
        self._settings.pop(key, None)

    def getAll(self):
        return dict(self._settings)

    def isModifiable(self, key):
        return True


class DataSourceRegistration:
    """``spark.dataSource``: Python data sources by their name()."""

    def __init__(self, session):
        self._session = session

    def register(self, dataSource):
        from rivulet.errors import PySparkTypeError

        if not isinstance(dataSource, type) or not hasattr(dataSource, "name"):
            raise PySparkTypeError(
                errorClass="NOT_A_DATA_SOURCE",
                messageParameters={"arg_name": "dataSource",
                                   "arg_type": type(dataSource).__name__},
            )
        self._session._data_sources[dataSource.name().lower()] = dataSource


class _Builder:
    def __init__(self):
        self._settings = {}

    def appName(self, name):
        return self.config("spark.app.name", name)

    def master(self, master):
        return self.config("spark.master", master)

    def remote(self, url):
        return self.config("spark.remote", url)

    def enableHiveSupport(self):
        return self

    def config(self, key=None, value=None, conf=None, *, map=None):
        if conf is not None:
            for k, v in conf.getAll():
                self._settings[k] = str(v)
        for k, v in (map or {}).items():
            self._settings[k] = str(v)
        if key is not None:
            self._settings[key] = (
                ("true" if value else "false") if isinstance(value, bool) else str(value)
            )
        return self

    def getOrCreate(self):
        global _active
        with _lock:
            if _active is None:
                _active = SparkSession(self._settings)
            else:
                for key, value in self._settings.items():
                    _active.conf.set(key, value)
            return _active

    def create(self):
        global _active
        with _lock:
            session = SparkSession(self._settings)
            if _active is None:
                _active = session
            return session


class _ClassProperty:
    def __init__(self, get):
        self._get = get

    def __get__(self, instance, owner):
        return self._get(owner)


class SparkSession:
    builder = _ClassProperty(lambda cls: _Builder())

    def __init__(self, settings=None):
        from rivulet import _engine
        from rivulet.sql.streaming.query import StreamingQueryManager

        settings = dict(settings or {})
        settings.setdefault("spark.app.name", "rivulet")
        settings.setdefault("spark.master", "local[*]")
        self.conf = RuntimeConfig(settings)
        # Workers import rivulet from where this process found it.
        _os.environ.setdefault("RIVULET_PYTHON_PACKAGE_DIR", _package_parent())
        self._engine = _engine.Engine()
        self._data_sources = {}
        self._memory_tables = {}
        self.dataSource = DataSourceRegistration(self)
        self.streams = StreamingQueryManager(self)
        self._stopped = False
        _atexit.register(self.stop)

    @property
    def version(self):
        return _SPARK_API_VERSION

    @property
    def readStream(self):
        from rivulet.sql.streaming.readwriter import DataStreamReader

        return DataStreamReader(self)

    @property
    def read(self):
        from rivulet.sql.readwriter import DataFrameReader

        return DataFrameReader(self)

    def table(self, tableName):
        table = self._memory_tables.get(tableName)
        if table is None:
            raise AnalysisException(
                "[TABLE_OR_VIEW_NOT_FOUND] The table or view `%s` cannot be found." % tableName
            )
        return table.dataframe()

    def _memory_table(self, name):
        table = self._memory_tables.get(name)
        if table is None:
            table = self._memory_tables[name] = _MemoryTable(self)
        return table

    @classmethod
    def getActiveSession(cls):
        return _active

    @classmethod
    def active(cls):
        if _active is None:
            return SparkSession.builder.getOrCreate()
        return _active

    def newSession(self):
        return SparkSession(self.conf.getAll())

    def stop(self):
        """Stops the queries between batches, ends the workers, frees the engine."""
        global _active
        with _lock:
            if self._stopped:
                return
            self._stopped = True
            if _active is self:
                _active = None
        _atexit.unregister(self.stop)
        self._engine.shutdown()
        self.streams._forget_all()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _MemoryTable:
    """The memory sink's rows: each batch (the engine's, kept as they are) by batch id, so a
    batch delivered again after a failure replaces itself."""

    def __init__(self, session):
        self._session = session
        self._batches = {}
        self._lock = _threading.Lock()

    def __call__(self, batch_id, batches):
        with self._lock:
            self._batches[batch_id] = batches

    def dataframe(self):
        from rivulet.sql.dataframe import DataFrame

        with self._lock:
            parts = [self._batches[b] for b in sorted(self._batches)]
        return DataFrame(parts, self._session)


def _package_parent():
    return _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
