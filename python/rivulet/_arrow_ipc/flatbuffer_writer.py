"""The flatbuffer writer, deterministic by the rules of src/ipc/flatbuffer_writer.h so that the
Python and C++ codecs write the same bytes for the same message.

``_Table()`` collects a table's slots (``scalar``, ``string``, ``table``, ``tables`` and
``aligned8`` for a vector of 8-byte-aligned structs, each returning the table, so that calls
chain); ``finish()`` returns the bytes of the whole buffer: the root offset, then each table
after its vtable and before what it refers to, padded to a multiple of 8 bytes.
"""

import struct as _struct

_SCALAR = 0
_STRING = 1
_TABLE = 2
_TABLE_VECTOR = 3
_ALIGNED8_VECTOR = 4


class _Table:
    """A flatbuffer table under construction: slot -> (kind, width, payload)."""

    __slots__ = ("fields",)

    def __init__(self):
        self.fields = {}

    def scalar(self, slot, fmt, value):
        self.fields[slot] = (_SCALAR, _struct.calcsize(fmt), _struct.pack(fmt, value))
        return self

    def string(self, slot, text):
        self.fields[slot] = (_STRING, 4, text.encode("utf-8"))
        return self

    def table(self, slot, table):
        self.fields[slot] = (_TABLE, 4, table)
        return self

    def tables(self, slot, tables):
        self.fields[slot] = (_TABLE_VECTOR, 4, tables)
        return self

    def aligned8(self, slot, data, count):
        self.fields[slot] = (_ALIGNED8_VECTOR, 4, (data, count))
        return self

    def finish(self):
        out = bytearray(4)
        root = _write_table(out, self)
        _struct.pack_into("<I", out, 0, root)
        out += bytes(-len(out) % 8)
        return bytes(out)


def _pad(out, multiple, remainder=0):
    out += bytes((remainder - len(out)) % multiple)


def _write_table(out, table):
    slots = sorted(table.fields)
    offsets = {}
    inline = 4
    for slot in slots:
        width = table.fields[slot][1]
        inline = (inline + width - 1) // width * width
        offsets[slot] = inline
        inline += width
    num_slots = slots[-1] + 1 if slots else 0
    vtable_size = 4 + 2 * num_slots
    out += bytes((-(len(out) + vtable_size)) % 8)
    vtable_pos = len(out)
    vtable = [0] * num_slots
    for slot in slots:
        vtable[slot] = offsets[slot]
    out += _struct.pack("<HH%dH" % num_slots, vtable_size, inline, *vtable)
    table_pos = len(out)
    body = bytearray(inline)
    _struct.pack_into("<i", body, 0, table_pos - vtable_pos)
    for slot in slots:
        kind, width, payload = table.fields[slot]
        if kind == _SCALAR:
            body[offsets[slot] : offsets[slot] + width] = payload
    out += body
    for slot in slots:
        kind, _, payload = table.fields[slot]
        at = table_pos + offsets[slot]
        if kind == _STRING:
            _pad(out, 4)
            pos = len(out)
            out += _struct.pack("<I", len(payload)) + payload + b"\x00"
        elif kind == _TABLE:
            pos = _write_table(out, payload)
        elif kind == _TABLE_VECTOR:
            _pad(out, 4)
            pos = len(out)
            out += _struct.pack("<I", len(payload)) + bytes(4 * len(payload))
            for j, child in enumerate(payload):
                element = pos + 4 + 4 * j
                _struct.pack_into("<I", out, element, _write_table(out, child) - element)
        elif kind == _ALIGNED8_VECTOR:
            _pad(out, 8, 4)
            pos = len(out)
            data, count = payload
            out += _struct.pack("<I", count) + data
        else:
            continue
        _struct.pack_into("<I", out, at, pos - at)
    return table_pos
