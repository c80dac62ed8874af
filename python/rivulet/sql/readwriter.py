"""``spark.read``: batch reads of what rivulet's file sinks wrote (``json`` lines and
``arrow`` IPC files). A directory with a ``_spark_metadata`` log is read through it, so only
committed files count, as Spark reads a file sink's output; any other directory is read
whole, skipping names that start with ``.`` or ``_``."""

import json as _json
import os as _os

from rivulet.errors import AnalysisException
from rivulet.sql import types as _T
from rivulet.sql._options import OptionsBuilder
from rivulet.sql.dataframe import DataFrame, _unsupported

__all__ = ["DataFrameReader"]


class DataFrameReader(OptionsBuilder):
    _case_insensitive = True

    def __init__(self, session):
        self._session = session
        self._format = None
        self._schema = None
        self._options = {}

    def schema(self, schema):
        from rivulet.sql.streaming.readwriter import _schema_ddl

        self._schema = _T._parse_ddl_schema(_schema_ddl(schema))
        return self

    def json(self, path, schema=None):
        if schema is not None:
            self.schema(schema)
        return self.format("json").load(path)

    def load(self, path=None, format=None, schema=None, **options):
        if format is not None:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        self.options(**options)
        path = path or self._options.get("path")
        if self._format not in ("json", "arrow"):
            raise _unsupported("spark.read.format(%r)" % self._format, False)
        if path is None or not _os.path.exists(path):
            raise AnalysisException("[PATH_NOT_FOUND] Path does not exist: %s." % path)
        files = _data_files(path)
        if self._format == "arrow":
            from rivulet import _engine

            streams = []
            for name in files:
                with open(name, "rb") as f:
                    streams.append(_engine.to_stream(f.read()))
            return DataFrame(streams, self._session)
        return self._read_json(files)

    def _read_json(self, files):
        from rivulet._arrow_ipc.writer import encode_stream

        records = []
        for name in files:
            with open(name, encoding="utf-8") as f:
                records.extend(_json.loads(line) for line in f if line.strip())
        schema = self._schema or _infer_schema(records)
        rows = [tuple(_field_value(r.get(f.name), f.dataType) for f in schema.fields)
                for r in records]
        return DataFrame([encode_stream(rows, schema)], self._session)


def _data_files(path):
    if _os.path.isfile(path):
        return [path]
    if _os.path.isdir(_os.path.join(path, "_spark_metadata")):
        from rivulet import _engine

        return [_os.path.join(path, name) for name in _engine.committed_files(path)]
    return sorted(
        _os.path.join(path, n) for n in _os.listdir(path)
        if not n.startswith((".", "_")) and _os.path.isfile(_os.path.join(path, n))
    )


def _json_type(value):
    if isinstance(value, bool):
        return _T.BooleanType()
    if isinstance(value, int):
        return _T.LongType()
    if isinstance(value, float):
        return _T.DoubleType()
    if isinstance(value, list):
        inner = None
        for v in value:
            inner = _merge(inner, _json_type(v))
        return _T.ArrayType(inner or _T.StringType(), True)
    if isinstance(value, dict):
        return _T.StructType(
            [_T.StructField(k, _json_type(v) or _T.StringType(), True)
             for k, v in sorted(value.items())]
        )
    return None if value is None else _T.StringType()


def _merge(a, b):
    """Spark's JSON inference: the wider of two types; numbers widen to double, anything
    else disagreeing to string."""
    if a is None or a == b:
        return b if a is None else a
    if b is None:
        return a
    numbers = (_T.LongType, _T.DoubleType)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return _T.DoubleType()
    return _T.StringType()


def _infer_schema(records):
    """Spark's schema inference for JSON lines: fields sorted by name, as Spark orders them."""
    types = {}
    for record in records:
        for key, value in record.items():
            types[key] = _merge(types.get(key), _json_type(value))
    return _T.StructType(
        [_T.StructField(k, types[k] or _T.StringType(), True) for k in sorted(types)]
    )


def _field_value(value, data_type):
    if value is None:
        return None
    if isinstance(data_type, _T.StringType) and not isinstance(value, str):
        return _json.dumps(value, separators=(",", ":"))
    if isinstance(data_type, _T.DoubleType):
        return float(value)
    if isinstance(data_type, _T.StructType):
        return tuple(_field_value(value.get(f.name), f.dataType) for f in data_type.fields)
    if isinstance(data_type, _T.ArrayType):
        return [_field_value(v, data_type.elementType) for v in value]
    return value
