"""The compiled row encoder, ``rivulet._rowcodec`` (src/rowcodec/), and the encoders of a
schema, made once per schema.

``encoders(schema, source_rules)`` is ``(columns, rows)``: the Python encoder's ``_Column``
per top-level field (encoder.py), and the compiled encoder built from them, or None when
it is off: the module is not there (a checkout run with PYTHONPATH=python has no compiled
module; the installed package has it) or RIVULET_PURE_PYTHON_ENCODER is 1 (read at every
call, for tests and benchmarks).

The contract between the two encoders: ``rows.encode_rows(rows)`` (and ``encode_columns``)
returns ``(nodes, buffers, body)``, the same bytes the Python encoder writes for that
batch, or None. It returns None for every batch the Python encoder refuses, and for values
it cannot vouch for (a subclass that overrides what the Python encoder relies on, say);
the caller then encodes the batch with the Python encoder, which raises its own errors.
So one piece of code words every error, and a batch the Python encoder refuses never
becomes bytes. User code that a conversion calls (a value's __str__, a tzinfo) runs again
for a declined batch, and must give the same answer.
"""

import array as _array
import datetime as _dt
import decimal as _decimal
import os as _os
import weakref as _weakref

from rivulet._arrow_ipc import encoder as _encoder
from rivulet._arrow_ipc.format import _DECIMAL_CONTEXT, _UTC
from rivulet.sql import types as _T

try:
    from rivulet import _rowcodec
except ImportError:
    _rowcodec = None


def _same_row(i):
    return i


class _ComparesInPython:
    """A class with its own __eq__: its comparison slot is the one every such class shares,
    which the compiled encoder must not take for a plain type's."""

    def __eq__(self, other):
        return NotImplemented

    __hash__ = object.__hash__


# The Python objects the compiled encoder uses (src/rowcodec/column_encoder.h, Support).
_SUPPORT = {
    "decimal": _decimal.Decimal,
    "decimal_context": _DECIMAL_CONTEXT,
    "utc": _UTC,
    "row": _T.Row,
    "variant_val": _T.VariantVal,
    "variant_classes": _encoder._variant_classes,
    "same_row": _same_row,
    "array": _array.array,
    # Types whose instances never compare equal to None (the validity check's
    # `None in values`), so that their values need no call to __eq__.
    "plain_types": (object, bool, int, float, str, bytes, bytearray, memoryview, tuple, list,
                    dict, _dt.date, _dt.datetime, _dt.timedelta, _decimal.Decimal,
                    _array.array),
    "compares_in_python": _ComparesInPython,
}

_C = _encoder._Column
_KINDS = {
    _C._null: "null",
    _C._bool: "boolean",
    _C._int: "integer",
    _C._float: "floating",
    _C._decimal: "decimal",
    _C._string: "string",
    _C._binary: "binary",
    _C._date: "date",
    _C._timestamp: "timestamp",
    _C._timestamp_ntz: "timestamp_ntz",
    _C._day_time_interval: "interval",
    _C._variant: "variant",
    _C._struct: "struct",
}


def _plan(column):
    """(kind, column, children): what the compiled encoder of a _Column is built from."""
    method = column.encode.__func__
    if method is _C._list_or_map:
        kind = "map" if isinstance(column.dt, _T.MapType) else "array"
    else:
        kind = _KINDS[method]
    return (kind, column, [_plan(c) for c in column.children])


def _row_encoder(schema, columns, source_rules):
    if _rowcodec is None:
        return None
    return _rowcodec.RowEncoder([_plan(c) for c in columns], [f.name for f in schema.fields],
                                bool(source_rules), _SUPPORT)


# (id(schema), source_rules) -> (weak reference to the schema, its repr, (columns, rows)).
# The repr finds a schema changed in place (StructType.add); the entry goes with the schema.
_CACHE = {}


def _forget(key):
    return lambda _: _CACHE.pop(key, None)


def encoders(schema, source_rules=False):
    if not isinstance(schema, _T.StructType):
        _encoder._encoders(schema, source_rules)  # raises the Python encoder's TypeError
    key = (id(schema), source_rules)
    text = repr(schema)
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not schema or entry[1] != text:
        columns = _encoder._encoders(schema, source_rules)
        made = (columns, _row_encoder(schema, columns, source_rules))
        entry = (_weakref.ref(schema, _forget(key)), text, made)
        _CACHE[key] = entry
    columns, rows = entry[2]
    if rows is not None and _os.environ.get("RIVULET_PURE_PYTHON_ENCODER") == "1":
        rows = None
    return columns, rows
