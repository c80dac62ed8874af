"""Arrow schema metadata to read plans.

``_plan_field(field, parent)`` maps a flatbuffer Field table to a ``_Plan``: how the field's
buffers are laid out on the wire and which Spark type its values get (the nearest one, as
the engine maps Arrow types: a duration of any unit is an interval day to second, and a
struct whose "metadata" field is tagged variant=true a variant, which must then be
struct<value: binary, metadata: binary>), with its children's plans and its dictionary
encoding, if any;
``parent`` is the enclosing field's path, "" at the top level. ``_metadata(field)`` is a
field's custom metadata. An Arrow type that rivulet does not read raises ValueError naming
the column; malformed metadata raises ``_Corrupt``.
"""

from rivulet._arrow_ipc.flatbuffer_reader import _Corrupt
from rivulet._arrow_ipc.format import (
    _T_BINARY,
    _T_BOOL,
    _T_DATE,
    _T_DECIMAL,
    _T_DURATION,
    _T_FIXED_BINARY,
    _T_FIXED_LIST,
    _T_FLOAT,
    _T_INT,
    _T_INTERVAL,
    _T_LARGE_BINARY,
    _T_LARGE_LIST,
    _T_LARGE_UTF8,
    _T_LIST,
    _T_MAP,
    _T_NULL,
    _T_STRUCT,
    _T_TIME,
    _T_TIMESTAMP,
    _T_UTF8,
    _UNIT_NAMES,
)
from rivulet.sql import types as _T

_UNSUPPORTED_NAMES = {
    14: "union",
    22: "run_end_encoded",
    23: "binary_view",
    24: "utf8_view",
    25: "list_view",
    26: "large_list_view",
}


class _Plan:
    """How to read one field: its wire layout and its Spark type."""

    __slots__ = ("path", "wire", "arg", "dt", "nullable", "dictionary", "index", "children", "names")

    def __init__(self):
        self.children = []
        self.dictionary = None
        self.names = []


def _unsupported(path, name):
    return ValueError("column '%s': unsupported Arrow type %s" % (path, name))


def _plan_field(field, parent):
    p = _Plan()
    name = field.string(0) or ""
    p.path = name if not parent else parent + "." + name
    p.nullable = bool(field.scalar(1, "<?", False))
    type_id = field.scalar(2, "<B")
    t = field.table(3)
    children = field.tables(5)

    def child_plans(kind, expected=None):
        if expected is not None and len(children) != expected:
            raise _Corrupt("column '%s': %s field has %d children, not %d" % (p.path, kind, len(children), expected))
        p.children = [_plan_field(c, p.path) for c in children]

    def need_table():
        if t is None:
            raise _Corrupt("column '%s': type table is missing" % p.path)
        return t

    if type_id == _T_NULL:
        p.wire, p.dt, p.nullable = "null", _T.NullType(), True
    elif type_id == _T_BOOL:
        p.wire, p.dt = "bool", _T.BooleanType()
    elif type_id == _T_INT:
        bits = need_table().scalar(0, "<i")
        signed = bool(t.scalar(1, "<?"))
        mapping = {
            (8, True): _T.ByteType, (16, True): _T.ShortType, (32, True): _T.IntegerType,
            (64, True): _T.LongType, (8, False): _T.ShortType, (16, False): _T.IntegerType,
            (32, False): _T.LongType,
        }
        if (bits, signed) == (64, False):
            p.dt = _T.DecimalType(20, 0)
        elif (bits, signed) in mapping:
            p.dt = mapping[(bits, signed)]()
        else:
            raise _unsupported(p.path, ("int%d" if signed else "uint%d") % bits)
        p.wire, p.arg = "int", (bits, signed)
    elif type_id == _T_FLOAT:
        precision = need_table().scalar(0, "<h")
        if precision == 1:
            p.wire, p.dt = "f32", _T.FloatType()
        elif precision == 2:
            p.wire, p.dt = "f64", _T.DoubleType()
        else:
            raise _unsupported(p.path, "float16")
    elif type_id == _T_DECIMAL:
        need_table()
        precision, scale, bits = t.scalar(0, "<i"), t.scalar(1, "<i"), t.scalar(2, "<i", 128)
        if bits != 128 or not 1 <= precision <= 38 or not 0 <= scale <= precision:
            raise _unsupported(p.path, "decimal%d(%d, %d)" % (bits, precision, scale))
        p.wire, p.dt = "decimal", _T.DecimalType(precision, scale)
    elif type_id == _T_DATE:
        unit = need_table().scalar(0, "<h", 1)
        p.wire, p.dt = ("date32" if unit == 0 else "date64"), _T.DateType()
    elif type_id == _T_TIMESTAMP:
        unit = need_table().scalar(0, "<h")
        if not 0 <= unit <= 3:
            raise _unsupported(p.path, "timestamp[%d]" % unit)
        tz = t.string(1)
        p.wire, p.arg = "timestamp", unit
        p.dt = _T.TimestampType() if tz else _T.TimestampNTZType()
    elif type_id in (_T_UTF8, _T_LARGE_UTF8):
        p.wire, p.arg, p.dt = "binary", type_id == _T_LARGE_UTF8, _T.StringType()
    elif type_id in (_T_BINARY, _T_LARGE_BINARY):
        p.wire, p.arg, p.dt = "binary", type_id == _T_LARGE_BINARY, _T.BinaryType()
    elif type_id == _T_FIXED_BINARY:
        width = need_table().scalar(0, "<i")
        if width < 0:
            raise _Corrupt("column '%s': negative fixed_size_binary width %d" % (p.path, width))
        p.wire, p.arg, p.dt = "fixed_binary", width, _T.BinaryType()
    elif type_id in (_T_LIST, _T_LARGE_LIST, _T_FIXED_LIST):
        kind = {_T_LIST: "list", _T_LARGE_LIST: "large_list", _T_FIXED_LIST: "fixed_size_list"}[type_id]
        child_plans(kind, 1)
        p.wire = "fixed_list" if type_id == _T_FIXED_LIST else "list"
        p.arg = type_id == _T_LARGE_LIST
        if type_id == _T_FIXED_LIST:
            p.arg = need_table().scalar(0, "<i")
            if p.arg < 0:
                raise _Corrupt("column '%s': negative fixed_size_list size %d" % (p.path, p.arg))
        p.dt = _T.ArrayType(p.children[0].dt, p.children[0].nullable)
    elif type_id == _T_STRUCT:
        child_plans("struct")
        p.wire = "struct"
        p.names = [(c.string(0) or "") for c in children]
        p.dt = _T.StructType(
            [
                _T.StructField(n, c.dt, c.nullable, _metadata(f))
                for n, c, f in zip(p.names, p.children, children)
            ]
        )
        if _is_tagged_variant(p.dt):
            if p.names != ["value", "metadata"] or not all(
                isinstance(c.dt, _T.BinaryType) for c in p.children
            ):
                raise _Corrupt(
                    "column '%s': a variant (tagged variant=true) must be struct<value: binary, "
                    "metadata: binary>, found %s" % (p.path, p.dt.simpleString())
                )
            p.wire, p.dt = "variant", _T.VariantType()
    elif type_id == _T_MAP:
        child_plans("map", 1)
        entries = p.children[0]
        if entries.wire != "struct" or entries.dictionary is not None or len(entries.children) != 2:
            raise _Corrupt("column '%s': map entries are not a struct of key and value" % p.path)
        key, value = entries.children
        p.wire, p.dt = "map", _T.MapType(key.dt, value.dt, value.nullable)
    elif type_id == _T_TIME:
        bits = need_table().scalar(1, "<i", 32)
        unit = t.scalar(0, "<h", 1)
        raise _unsupported(p.path, "time%d[%s]" % (bits, _UNIT_NAMES[unit] if 0 <= unit <= 3 else unit))
    elif type_id == _T_DURATION:
        unit = need_table().scalar(0, "<h", 1)
        if not 0 <= unit <= 3:
            raise _unsupported(p.path, "duration[%d]" % unit)
        p.wire, p.arg, p.dt = "duration", unit, _T.DayTimeIntervalType()
    elif type_id == _T_INTERVAL:
        raise _unsupported(p.path, "interval")
    elif type_id == 0:
        raise _Corrupt("column '%s': field has no type" % p.path)
    elif type_id in _UNSUPPORTED_NAMES:
        raise _unsupported(p.path, _UNSUPPORTED_NAMES[type_id])
    else:
        raise _unsupported(p.path, "with type id %d" % type_id)

    dictionary = field.table(4)
    if dictionary is not None:
        index = dictionary.table(1)
        bits, signed = (32, True) if index is None else (index.scalar(0, "<i"), bool(index.scalar(1, "<?")))
        if bits not in (8, 16, 32, 64):
            raise _Corrupt("column '%s': dictionary index bit width %d is not 8, 16, 32 or 64" % (p.path, bits))
        p.dictionary = dictionary.scalar(0, "<q")
        p.index = (bits, signed)
    return p


def _is_tagged_variant(struct):
    """A struct whose "metadata" field is tagged {"variant": "true"} holds a variant, as
    PySpark sends it (struct<value: binary, metadata: binary>)."""
    return any(f.name == "metadata" and f.metadata.get("variant") == "true" for f in struct.fields)


def _metadata(field):
    pairs = {}
    for kv in field.tables(6):
        key = kv.string(0)
        if key is not None:
            pairs[key] = kv.string(1) or ""
    return pairs
