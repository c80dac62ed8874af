"""Reading flatbuffer tables with every position checked against the buffer, so that corrupt
metadata raises ``_Corrupt`` (a ValueError, which the reading modules raise for every lie a
stream tells) instead of reading out of range.

``_FlatReader(buf).root()`` is the root table, a ``_FlatTable``, which reads a slot as a
scalar (its default when the slot is absent), a string, a table, a vector of tables or a
vector of structs.
"""

import struct as _struct


class _Corrupt(ValueError):
    pass


class _FlatReader:
    """Reads flatbuffer tables from a bytes object, checking every position it follows."""

    __slots__ = ("buf", "size")

    def __init__(self, buf):
        self.buf = buf
        self.size = len(buf)

    def check(self, pos, n):
        if pos < 0 or pos + n > self.size:
            raise _Corrupt("flatbuffer reference to bytes %d..%d of %d" % (pos, pos + n, self.size))

    def u32(self, pos):
        self.check(pos, 4)
        return _struct.unpack_from("<I", self.buf, pos)[0]

    def root(self):
        return self.table_at(self.u32(0))

    def table_at(self, pos):
        self.check(pos, 4)
        vtable = pos - _struct.unpack_from("<i", self.buf, pos)[0]
        self.check(vtable, 4)
        vsize, _ = _struct.unpack_from("<HH", self.buf, vtable)
        if vsize < 4 or vsize % 2:
            raise _Corrupt("flatbuffer vtable of %d bytes" % vsize)
        self.check(vtable, vsize)
        return _FlatTable(self, pos, vtable, vsize)


class _FlatTable:
    __slots__ = ("r", "pos", "vtable", "vsize")

    def __init__(self, reader, pos, vtable, vsize):
        self.r, self.pos, self.vtable, self.vsize = reader, pos, vtable, vsize

    def _field(self, slot):
        at = 4 + 2 * slot
        if at + 2 > self.vsize:
            return 0
        return _struct.unpack_from("<H", self.r.buf, self.vtable + at)[0]

    def scalar(self, slot, fmt, default=0):
        off = self._field(slot)
        if not off:
            return default
        self.r.check(self.pos + off, _struct.calcsize(fmt))
        return _struct.unpack_from(fmt, self.r.buf, self.pos + off)[0]

    def _target(self, slot):
        off = self._field(slot)
        if not off:
            return None
        at = self.pos + off
        return at + self.r.u32(at)

    def table(self, slot):
        target = self._target(slot)
        return None if target is None else self.r.table_at(target)

    def string(self, slot):
        target = self._target(slot)
        if target is None:
            return None
        n = self.r.u32(target)
        self.r.check(target + 4, n)
        try:
            return self.r.buf[target + 4 : target + 4 + n].decode("utf-8")
        except UnicodeDecodeError:
            raise _Corrupt("flatbuffer string is not UTF-8") from None

    def tables(self, slot):
        target = self._target(slot)
        if target is None:
            return []
        n = self.r.u32(target)
        self.r.check(target + 4, 4 * n)
        return [self.r.table_at(target + 4 + 4 * j + self.r.u32(target + 4 + 4 * j)) for j in range(n)]

    def structs(self, slot, fmt):
        target = self._target(slot)
        if target is None:
            return []
        n = self.r.u32(target)
        size = _struct.calcsize(fmt)
        self.r.check(target + 4, size * n)
        return list(_struct.iter_unpack(fmt, self.r.buf[target + 4 : target + 4 + size * n]))
