"""Arrow IPC messages to Python values.

A ``_Decoder`` takes a stream's messages in order, ``message(metadata, body)`` each: the
schema message sets ``schema`` (a StructType) and the read plans, dictionary batches fill the
dictionaries, and each record batch appends its rows (tuples) to ``batches``. Every field
node, buffer, offset and dictionary index is checked against the message body, and one that
lies raises ``_Corrupt``; what the codec cannot read (compressed bodies, big-endian data, old
metadata versions, dates and timestamps outside Python's range, map keys that Python cannot
hash) raises ValueError.
"""

import datetime as _dt
import decimal as _decimal
from array import array as _array

from rivulet._arrow_ipc.flatbuffer_reader import _Corrupt, _FlatReader
from rivulet._arrow_ipc.format import (
    _DECIMAL_CONTEXT,
    _EPOCH_NAIVE,
    _EPOCH_ORDINAL,
    _EPOCH_UTC,
    _H_DICTIONARY,
    _H_RECORD_BATCH,
    _H_SCHEMA,
    _UNIT_NAMES,
)
from rivulet._arrow_ipc.schema_reader import _metadata, _plan_field
from rivulet.sql import types as _T

_INT_CODES = {(8, True): "b", (16, True): "h", (32, True): "i", (64, True): "q",
              (8, False): "B", (16, False): "H", (32, False): "I", (64, False): "Q"}
_BYTE_BITS = [tuple((b >> k) & 1 for k in range(8)) for b in range(256)]


class _BatchReader:
    """Hands out one record batch's field nodes and buffers, checking each range."""

    def __init__(self, header, body):
        self.nodes = header.structs(1, "<qq")
        self.buffers = header.structs(2, "<qq")
        self.body = body
        self.node_i = 0
        self.buffer_i = 0
        compression = header.table(3)
        if compression is not None:
            raise ValueError(
                "compressed Arrow IPC bodies (%s) are not supported by the pure-Python codec"
                % ("LZ4 frame" if compression.scalar(0, "<b") == 0 else "zstd")
            )

    def node(self, path):
        if self.node_i >= len(self.nodes):
            raise _Corrupt(
                "record batch has %d field nodes, too few for the schema (at column '%s')"
                % (len(self.nodes), path)
            )
        length, nulls = self.nodes[self.node_i]
        self.node_i += 1
        if length < 0:
            raise _Corrupt("column '%s': negative length %d" % (path, length))
        if length > 0x7FFFFFFF:  # as the engine, which indexes values with 32-bit offsets
            raise _Corrupt("column '%s': length %d is more than the engine's 2147483647 values" % (path, length))
        if not 0 <= nulls <= length:
            raise _Corrupt("column '%s': null count %d is not within its length %d" % (path, nulls, length))
        return length, nulls

    def buffer(self, path):
        if self.buffer_i >= len(self.buffers):
            raise _Corrupt(
                "record batch has %d buffers, too few for the schema (at column '%s')"
                % (len(self.buffers), path)
            )
        offset, length = self.buffers[self.buffer_i]
        index = self.buffer_i
        self.buffer_i += 1
        if offset < 0 or length < 0 or offset + length > len(self.body):
            raise _Corrupt(
                "column '%s': buffer %d (offset %d, length %d) is outside the %d-byte message body"
                % (path, index, offset, length, len(self.body))
            )
        return self.body[offset : offset + length]

    def done(self):
        if self.node_i != len(self.nodes):
            raise _Corrupt("record batch has %d field nodes, the schema needs %d" % (len(self.nodes), self.node_i))
        if self.buffer_i != len(self.buffers):
            raise _Corrupt("record batch has %d buffers, the schema needs %d" % (len(self.buffers), self.buffer_i))


def _valid_flags(bitmap, length):
    flags = [bit for byte in bitmap[: (length + 7) // 8] for bit in _BYTE_BITS[byte]]
    return flags[:length]


def _numbers(data, code, length, path):
    arr = _array(code)
    need = arr.itemsize * length
    if len(data) < need:
        raise _Corrupt(
            "column '%s': values buffer of %d bytes is too short for %d values of %d bytes"
            % (path, len(data), length, arr.itemsize)
        )
    arr.frombytes(data[:need])
    return arr


def _offsets(data, length, large, limit, path):
    if length == 0 and not data:
        return [0]
    code = "q" if large else "i"
    size = 8 if large else 4
    if len(data) < size * (length + 1):
        raise _Corrupt("column '%s': offsets buffer of %d bytes is too short for %d values" % (path, len(data), length))
    arr = _array(code)
    arr.frombytes(data[: size * (length + 1)])
    if arr[0] < 0:
        raise _Corrupt("column '%s': first offset %d is negative" % (path, arr[0]))
    previous = arr[0]
    for i in range(1, length + 1):
        if arr[i] < previous:
            raise _Corrupt("column '%s': offsets go backwards at index %d (%d then %d)" % (path, i, previous, arr[i]))
        previous = arr[i]
    if previous > limit:
        raise _Corrupt("column '%s': last offset %d is past the %d available" % (path, previous, limit))
    return arr


class _Decoder:
    def __init__(self):
        self.plans = None
        self.schema = None
        self.dictionaries = {}
        self.dictionary_plans = {}
        self.batches = []

    def set_schema(self, schema):
        if schema.scalar(0, "<h") != 0:
            raise ValueError("big-endian Arrow data is not supported")
        fields = schema.tables(1)
        self.plans = [_plan_field(f, "") for f in fields]
        self.schema = _T.StructType(
            [_T.StructField(f.string(0) or "", p.dt, p.nullable, _metadata(f)) for f, p in zip(fields, self.plans)]
        )

        def collect(p):
            if p.dictionary is not None:
                self.dictionary_plans[p.dictionary] = p
            for c in p.children:
                collect(c)

        for p in self.plans:
            collect(p)

    def message(self, metadata, body):
        msg = _FlatReader(metadata).root()
        version = msg.scalar(0, "<h")
        if version < 3:
            raise ValueError("Arrow metadata version V%d is too old (V4 or later is supported)" % (version + 1))
        kind = msg.scalar(1, "<B")
        header = msg.table(2)
        if header is None:
            raise _Corrupt("message without its header")
        if kind == _H_SCHEMA:
            if self.plans is not None:
                raise _Corrupt("a second schema message")
            self.set_schema(header)
        elif kind == _H_DICTIONARY:
            if self.plans is None:
                raise _Corrupt("a dictionary batch before the schema message")
            self.dictionary(header, body)
        elif kind == _H_RECORD_BATCH:
            if self.plans is None:
                raise _Corrupt("a record batch before the schema message")
            self.record_batch(header, body)
        else:
            raise ValueError("unsupported Arrow message type %d" % kind)

    def dictionary(self, header, body):
        dict_id = header.scalar(0, "<q")
        data = header.table(1)
        if data is None:
            raise _Corrupt("dictionary batch without data")
        plan = self.dictionary_plans.get(dict_id)
        if plan is None:
            raise _Corrupt("dictionary batch for id %d, which no column uses" % dict_id)
        reader = _BatchReader(data, body)
        values = self.column(reader, plan, as_values=True)
        reader.done()
        if header.scalar(2, "<?") and dict_id in self.dictionaries:
            self.dictionaries[dict_id] = self.dictionaries[dict_id] + values
        else:
            self.dictionaries[dict_id] = values

    def record_batch(self, header, body):
        length = header.scalar(0, "<q")
        if length < 0:
            raise _Corrupt("negative record batch length %d" % length)
        reader = _BatchReader(header, body)
        columns = []
        for plan in self.plans:
            values = self.column(reader, plan)
            if len(values) != length:
                raise _Corrupt("column '%s': has %d values, the record batch %d rows" % (plan.path, len(values), length))
            columns.append(values)
        reader.done()
        if columns:
            self.batches.append(list(zip(*columns)))
        else:
            self.batches.append([() for _ in range(length)])

    def column(self, reader, plan, as_values=False):
        """The Python values of one field."""
        path = plan.path
        length, nulls = reader.node(path)
        if plan.wire == "null" and (plan.dictionary is None or as_values):
            return [None] * length
        bitmap = reader.buffer(path)
        flags = None
        if nulls:
            if len(bitmap) < (length + 7) // 8:
                raise _Corrupt(
                    "column '%s': validity buffer of %d bytes is shorter than the %d its length needs"
                    % (path, len(bitmap), (length + 7) // 8)
                )
            flags = _valid_flags(bitmap, length)
            if length - sum(flags) != nulls:
                raise _Corrupt(
                    "column '%s': null count %d does not match the validity bitmap's %d"
                    % (path, nulls, length - sum(flags))
                )
        if plan.dictionary is not None and not as_values:
            bits, signed = plan.index
            indices = _numbers(reader.buffer(path), _INT_CODES[(bits, signed)], length, path)
            dictionary = self.dictionaries.get(plan.dictionary)
            if dictionary is None:
                raise _Corrupt("column '%s': no dictionary with id %d came before the record batch" % (path, plan.dictionary))
            out = []
            size = len(dictionary)
            for i, index in enumerate(indices):
                if flags is not None and not flags[i]:
                    out.append(None)
                elif 0 <= index < size:
                    out.append(dictionary[index])
                else:
                    raise _Corrupt(
                        "column '%s': dictionary index %d (row %d) is out of range for a dictionary of %d values"
                        % (path, index, i, size)
                    )
            return out
        values = self.values(reader, plan, length)
        if flags is not None:
            values = [v if f else None for v, f in zip(values, flags)]
        return values

    def struct_children(self, reader, plan, length):
        """The values of each child of a struct (or variant) of `length` values."""
        children = []
        for c in plan.children:
            values = self.column(reader, c)
            if len(values) < length:
                raise _Corrupt("column '%s': has %d values, fewer than its struct's %d" % (c.path, len(values), length))
            children.append(values)
        return children

    def values(self, reader, plan, length):
        path = plan.path
        wire = plan.wire
        if wire == "bool":
            data = reader.buffer(path)
            if len(data) < (length + 7) // 8:
                raise _Corrupt("column '%s': values buffer of %d bytes is too short for %d values" % (path, len(data), length))
            return [bool(b) for b in _valid_flags(data, length)]
        if wire == "int":
            values = _numbers(reader.buffer(path), _INT_CODES[plan.arg], length, path).tolist()
            if plan.arg == (64, False):
                return [_decimal.Decimal(v) for v in values]
            return values
        if wire in ("f32", "f64"):
            return _numbers(reader.buffer(path), "f" if wire == "f32" else "d", length, path).tolist()
        if wire == "decimal":
            data = reader.buffer(path)
            if len(data) < 16 * length:
                raise _Corrupt("column '%s': values buffer of %d bytes is too short for %d values of 16 bytes" % (path, len(data), length))
            scale = -plan.dt.scale
            from_bytes = int.from_bytes
            Decimal = _decimal.Decimal
            return [
                Decimal(from_bytes(data[16 * i : 16 * i + 16], "little", signed=True)).scaleb(scale, _DECIMAL_CONTEXT)
                for i in range(length)
            ]
        if wire == "date32":
            return [_dt.date.fromordinal(d + _EPOCH_ORDINAL) if -_EPOCH_ORDINAL < d < 2932897 else _date_error(path, d)
                    for d in _numbers(reader.buffer(path), "i", length, path)]
        if wire == "date64":
            return [_dt.date.fromordinal(ms // 86400000 + _EPOCH_ORDINAL) if -_EPOCH_ORDINAL < ms // 86400000 < 2932897
                    else _date_error(path, ms // 86400000) for ms in _numbers(reader.buffer(path), "q", length, path)]
        if wire == "timestamp":
            raw = _numbers(reader.buffer(path), "q", length, path)
            epoch = _EPOCH_UTC if isinstance(plan.dt, _T.TimestampType) else _EPOCH_NAIVE
            per_micro = [1000000, 1000, 1, None][plan.arg]
            td = _dt.timedelta
            out = []
            for v in raw:
                micros = v * per_micro if per_micro else v // 1000
                try:
                    out.append(epoch + td(microseconds=micros))
                except OverflowError:
                    raise ValueError("column '%s': timestamp %d %s is out of Python's datetime range"
                                     % (path, v, _UNIT_NAMES[plan.arg])) from None
            return out
        if wire == "duration":
            per_micro = [1000000, 1000, 1, None][plan.arg]
            td = _dt.timedelta
            out = []
            for i, v in enumerate(_numbers(reader.buffer(path), "q", length, path)):
                micros = v * per_micro if per_micro else v // 1000
                if not -(2**63) <= micros < 2**63:
                    raise ValueError("column '%s': duration %d %s (row %d) does not fit in microseconds"
                                     % (path, v, _UNIT_NAMES[plan.arg], i))
                out.append(td(microseconds=micros))
            return out
        if wire == "binary":
            offsets_data = reader.buffer(path)
            data = reader.buffer(path)
            offsets = _offsets(offsets_data, length, plan.arg, len(data), path)
            if isinstance(plan.dt, _T.StringType):
                try:
                    if data.isascii():
                        text = data.decode("ascii")
                        return [text[a:b] for a, b in zip(offsets, offsets[1:])]
                    return [data[a:b].decode("utf-8") for a, b in zip(offsets, offsets[1:])]
                except UnicodeDecodeError:
                    raise _Corrupt("column '%s': string data is not UTF-8" % path) from None
            return [data[a:b] for a, b in zip(offsets, offsets[1:])]
        if wire == "fixed_binary":
            width = plan.arg
            data = reader.buffer(path)
            if len(data) < width * length:
                raise _Corrupt("column '%s': values buffer of %d bytes is too short for %d values of %d bytes" % (path, len(data), length, width))
            return [data[width * i : width * (i + 1)] for i in range(length)]
        if wire in ("list", "map"):
            offsets_data = reader.buffer(path)
            if wire == "map":
                entries = plan.children[0]
                n, nulls = reader.node(entries.path)
                reader.buffer(entries.path)
                if nulls:
                    raise _Corrupt("column '%s': map entries must not be null" % path)
                keys = self.column(reader, entries.children[0])
                items = self.column(reader, entries.children[1])
                if len(keys) < n or len(items) < n:
                    raise _Corrupt("column '%s': map keys or values are fewer than its entries" % path)
                if None in keys[:n]:
                    raise _Corrupt("column '%s': null map key" % path)
                offsets = _offsets(offsets_data, length, False, n, path)
                try:
                    return [dict(zip(keys[a:b], items[a:b])) for a, b in zip(offsets, offsets[1:])]
                except TypeError:
                    raise ValueError("column '%s': map keys are not hashable in Python" % path) from None
            child = self.column(reader, plan.children[0])
            offsets = _offsets(offsets_data, length, plan.arg, len(child), path)
            return [child[a:b] for a, b in zip(offsets, offsets[1:])]
        if wire == "fixed_list":
            size = plan.arg
            child = self.column(reader, plan.children[0])
            if len(child) < size * length:
                raise _Corrupt("column '%s': child has %d values, fewer than %d lists of %d" % (path, len(child), length, size))
            return [child[size * i : size * (i + 1)] for i in range(length)]
        if wire == "struct":
            children = self.struct_children(reader, plan, length)
            names = plan.names
            make = _T._create_row
            return [make(names, fields) for fields in zip(*children)] if children else [make(names, ()) for _ in range(length)]
        if wire == "variant":
            children = self.struct_children(reader, plan, length)
            value = children[plan.names.index("value")]
            metadata = children[plan.names.index("metadata")]
            variant = _T.VariantVal
            # A null child (a foreign writer's nullable field) makes the variant null.
            return [None if v is None or m is None else variant(v, m) for v, m in zip(value, metadata)]
        raise _Corrupt("column '%s': cannot read wire layout %s" % (path, wire))  # pragma: no cover


def _date_error(path, days):
    raise ValueError("column '%s': date %d days from 1970-01-01 is out of Python's date range" % (path, days))
