"""Spark types as Arrow schema metadata. ``_field_table(name, data_type, nullable, metadata)``
is the flatbuffer Field table of a column: its Arrow type (the mapping of
docs/format/arrow-ipc.md, as PySpark's to_arrow_type: interval day to second is
duration[us], variant a struct<value: binary not null, metadata: binary not null> whose
metadata field carries {"variant": "true"}), its children and its custom metadata sorted by
key. A type without an Arrow mapping raises TypeError naming the column.
"""

from rivulet._arrow_ipc.flatbuffer_writer import _Table
from rivulet._arrow_ipc.format import (
    _T_BINARY,
    _T_BOOL,
    _T_DATE,
    _T_DECIMAL,
    _T_DURATION,
    _T_FLOAT,
    _T_INT,
    _T_LIST,
    _T_MAP,
    _T_NULL,
    _T_STRUCT,
    _T_TIMESTAMP,
    _T_UTF8,
)
from rivulet.sql import types as _T


def _int_table(bits):
    return _Table().scalar(0, "<i", bits).scalar(1, "<?", True)


def _field_table(name, data_type, nullable, metadata):
    type_id, type_table, children = _describe_type(data_type, name)
    t = (
        _Table()
        .string(0, name)
        .scalar(1, "<?", bool(nullable))
        .scalar(2, "<B", type_id)
        .table(3, type_table)
        .tables(5, children)
    )
    if metadata:
        pairs = sorted(((str(k), str(v)) for k, v in metadata.items()), key=lambda kv: kv[0].encode())
        t.tables(6, [_Table().string(0, k).string(1, v) for k, v in pairs])
    return t


def _describe_type(dt, name):
    cls = type(dt)
    simple = _SIMPLE_TYPES.get(cls)
    if simple is not None:
        return simple()
    if isinstance(dt, _T.DayTimeIntervalType) and (dt.startField, dt.endField) == (0, 3):
        return _T_DURATION, _Table().scalar(0, "<h", 2), []  # microseconds
    if isinstance(dt, _T.VariantType):
        return _T_STRUCT, _Table(), [
            _field_table("value", _T.BinaryType(), False, None),
            _field_table("metadata", _T.BinaryType(), False, _VARIANT_TAG),
        ]
    if isinstance(dt, _T.DecimalType):
        t = _Table().scalar(0, "<i", dt.precision).scalar(1, "<i", dt.scale).scalar(2, "<i", 128)
        return _T_DECIMAL, t, []
    if isinstance(dt, _T.ArrayType):
        return _T_LIST, _Table(), [_field_table("element", dt.elementType, dt.containsNull, None)]
    if isinstance(dt, _T.MapType):
        entries = (
            _Table()
            .string(0, "entries")
            .scalar(1, "<?", False)
            .scalar(2, "<B", _T_STRUCT)
            .table(3, _Table())
            .tables(
                5,
                [
                    _field_table("key", dt.keyType, False, None),
                    _field_table("value", dt.valueType, dt.valueContainsNull, None),
                ],
            )
        )
        return _T_MAP, _Table().scalar(0, "<?", False), [entries]
    if isinstance(dt, _T.StructType):
        return _T_STRUCT, _Table(), [_field_table(f.name, f.dataType, f.nullable, f.metadata) for f in dt.fields]
    raise TypeError("column '%s': type %s has no Arrow mapping" % (name, dt.simpleString()))


# A variant is a struct of its value and metadata binaries, the metadata field tagged so
# that readers (PySpark's is_variant) know the struct for a variant.
_VARIANT_TAG = {"variant": "true"}

_SIMPLE_TYPES = {
    _T.NullType: lambda: (_T_NULL, _Table(), []),
    _T.BooleanType: lambda: (_T_BOOL, _Table(), []),
    _T.ByteType: lambda: (_T_INT, _int_table(8), []),
    _T.ShortType: lambda: (_T_INT, _int_table(16), []),
    _T.IntegerType: lambda: (_T_INT, _int_table(32), []),
    _T.LongType: lambda: (_T_INT, _int_table(64), []),
    _T.FloatType: lambda: (_T_FLOAT, _Table().scalar(0, "<h", 1), []),
    _T.DoubleType: lambda: (_T_FLOAT, _Table().scalar(0, "<h", 2), []),
    _T.StringType: lambda: (_T_UTF8, _Table(), []),
    _T.CharType: lambda: (_T_UTF8, _Table(), []),
    _T.VarcharType: lambda: (_T_UTF8, _Table(), []),
    _T.BinaryType: lambda: (_T_BINARY, _Table(), []),
    _T.DateType: lambda: (_T_DATE, _Table().scalar(0, "<h", 0), []),
    _T.TimestampType: lambda: (_T_TIMESTAMP, _Table().scalar(0, "<h", 2).string(1, "UTC"), []),
    _T.TimestampNTZType: lambda: (_T_TIMESTAMP, _Table().scalar(0, "<h", 2), []),
}
