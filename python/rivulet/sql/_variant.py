"""Spark's variant binary encoding (the Parquet Variant spec, VariantEncoding.md), behind
``VariantVal`` in :mod:`rivulet.sql.types`:

    parse_json(text) -> (value, metadata)        the bytes Spark's parse_json builds
    to_json(value, metadata, zone_id) -> str     the text Spark's JVM renders (Variant.toJson)
    to_python(value, metadata)                   dicts, lists and Python scalars

A variant is two byte strings. ``metadata`` is the dictionary of object keys: a header byte
(version 1 in the low 4 bits, bit 4 sorted_strings, bits 6-7 offset_size - 1), the key count
and count + 1 offsets (offset_size bytes each, little-endian), then the UTF-8 keys.
``value`` starts with a header byte: its low 2 bits are the basic type, its upper 6 bits the
type info.

    0 primitive     type info is the type id (_NULL ... _UUID below); its content follows
    1 short string  type info is the UTF-8 length (0-63); the bytes follow
    2 object        type info is is_large << 4 | (id_size - 1) << 2 | (offset_size - 1);
                    then the field count (1 byte, 4 if is_large), the field ids (key numbers
                    in the metadata) and count + 1 offsets into the field values, which
                    follow; fields in the order of their keys, each key once
    3 array         type info is is_large << 2 | (offset_size - 1); then the element count,
                    count + 1 offsets, the elements

Reading checks every position it reads against the bytes: a variant that lies raises
PySparkValueError [MALFORMED_VARIANT], as Spark's reader does, and a primitive type id that
Spark does not know raises [UNKNOWN_PRIMITIVE_TYPE_IN_VARIANT].
"""

import datetime as _dt
import decimal as _decimal
import json as _json
import math as _math
import struct as _struct
import uuid as _uuid

_PRIMITIVE, _SHORT_STRING, _OBJECT, _ARRAY = 0, 1, 2, 3
_NULL, _TRUE, _FALSE, _INT8, _INT16, _INT32, _INT64, _DOUBLE = 0, 1, 2, 3, 4, 5, 6, 7
_DECIMAL4, _DECIMAL8, _DECIMAL16, _DATE, _TIMESTAMP, _TIMESTAMP_NTZ = 8, 9, 10, 11, 12, 13
_FLOAT, _BINARY, _STRING, _UUID = 14, 15, 16, 20
_VERSION = 1
_MAX_SHORT_STRING = 63
# Decimal type id -> (bytes of the unscaled value, the most digits it may hold).
_DECIMALS = {_DECIMAL4: (4, 9), _DECIMAL8: (8, 18), _DECIMAL16: (16, 38)}
_MICROS_PER_DAY = 86400 * 1000000
_UTC = _dt.timezone.utc
_EPOCH_UTC = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
# The instants whose offset any zone can give without leaving Python's datetime range.
_FIRST_INSTANT = _dt.datetime(1, 1, 2, tzinfo=_UTC)
_LAST_INSTANT = _dt.datetime(9999, 12, 30, tzinfo=_UTC)
_EPOCH_DAYS = _dt.date(1970, 1, 1).toordinal()
_EXACT = _decimal.Context(prec=100, Emax=999999, Emin=-999999)


def _error(error_class, **parameters):
    from rivulet.errors import PySparkValueError

    return PySparkValueError(errorClass=error_class, messageParameters=parameters)


def _malformed():
    return _error("MALFORMED_VARIANT")


# ---------------------------------------------------------------------------------------------
# Building: JSON text -> (value, metadata)
# ---------------------------------------------------------------------------------------------


class _Number:
    """A JSON number as its text, so that it is typed as Spark types it."""

    __slots__ = ("text", "integral")

    def __init__(self, text, integral):
        self.text = text
        self.integral = integral


class _Object(list):
    """A JSON object as its (key, value) pairs in document order, duplicates included."""


def _refuse_constant(name):
    raise ValueError("Non-standard token '%s' is not JSON" % name)


def parse_json(text):
    """(value, metadata) of a JSON text, typed as Spark's parse_json types it: an integer is
    the smallest int type that holds it, or a decimal(38, 0) beyond int64, or a double beyond
    that; a number with a fraction and no exponent is a decimal when it has at most 38
    digits and 38 fraction digits, else a double; a number with an exponent is a double.
    Object fields are sorted by key; a key twice in one object raises
    [VARIANT_DUPLICATE_KEY]. Text that is not JSON (NaN and Infinity included) raises
    ValueError."""
    tree = _json.loads(
        text,
        object_pairs_hook=_Object,
        parse_int=lambda t: _Number(t, True),
        parse_float=lambda t: _Number(t, False),
        parse_constant=_refuse_constant,
    )
    builder = _Builder()
    value = builder.value(tree)
    return value, builder.metadata()


def _size_for(n):
    """Bytes of the smallest unsigned integer that holds n (at most 4)."""
    if n <= 0xFF:
        return 1
    if n <= 0xFFFF:
        return 2
    if n <= 0xFFFFFF:
        return 3
    return 4


def _uint_bytes(n, size):
    return n.to_bytes(size, "little")


def _primitive(type_id, content=b""):
    return bytes([type_id << 2 | _PRIMITIVE]) + content


def _java_order(key):
    """Java's String order (UTF-16 code units), which Spark sorts object keys in."""
    return key.encode("utf-16-be", "surrogatepass")


class _Builder:
    def __init__(self):
        self.ids = {}  # key -> its number in the metadata, numbered in the order first seen

    def value(self, node):
        """The value bytes of a parsed JSON node."""
        if node is None:
            return _primitive(_NULL)
        if node is True:
            return _primitive(_TRUE)
        if node is False:
            return _primitive(_FALSE)
        kind = type(node)
        if kind is str:
            return _string(node)
        if kind is _Number:
            return _number(node)
        if kind is _Object:
            return self.object(node)
        return self.array(node)

    def array(self, items):
        elements = [self.value(item) for item in items]
        return _container(_ARRAY, 0, [], elements)

    def object(self, pairs):
        fields = []  # (key, id, offset of its value)
        data = []
        offset = 0
        for key, item in pairs:
            fields.append((key, self.ids.setdefault(key, len(self.ids)), offset))
            encoded = self.value(item)
            data.append(encoded)
            offset += len(encoded)
        fields.sort(key=lambda f: _java_order(f[0]))
        for before, after in zip(fields, fields[1:]):
            if before[0] == after[0]:
                raise _error("VARIANT_DUPLICATE_KEY", key=after[0])
        id_size = _size_for(max((f[1] for f in fields), default=0))
        ids = b"".join(_uint_bytes(f[1], id_size) for f in fields)
        # The values stay in document order; the offsets follow the sorted keys.
        return _container(_OBJECT, id_size, ids, data, [f[2] for f in fields])

    def metadata(self):
        keys = [k.encode("utf-8") for k in self.ids]
        size = _size_for(max(sum(map(len, keys)), len(keys)))
        out = bytearray([_VERSION | (size - 1) << 6])
        out += _uint_bytes(len(keys), size)
        offset = 0
        for key in keys:
            out += _uint_bytes(offset, size)
            offset += len(key)
        out += _uint_bytes(offset, size)
        return bytes(out + b"".join(keys))


def _container(basic_type, id_size, ids, parts, offsets=None):
    """An object (with its field ids) or an array: header, count, ids, offsets, data. The
    offsets are the parts' positions unless given (an object's, in key order)."""
    data = b"".join(parts)
    if offsets is None:
        offsets, at = [], 0
        for part in parts:
            offsets.append(at)
            at += len(part)
    count = len(parts)
    large = count > 0xFF
    offset_size = _size_for(len(data))
    if basic_type == _OBJECT:
        info = large << 4 | (id_size - 1) << 2 | (offset_size - 1)
    else:
        info = large << 2 | (offset_size - 1)
    head = bytes([info << 2 | basic_type]) + _uint_bytes(count, 4 if large else 1) + bytes(ids)
    table = b"".join(_uint_bytes(o, offset_size) for o in offsets + [len(data)])
    return head + table + data


def _string(text):
    data = text.encode("utf-8")
    if len(data) <= _MAX_SHORT_STRING:
        return bytes([len(data) << 2 | _SHORT_STRING]) + data
    return _primitive(_STRING, _uint_bytes(len(data), 4) + data)


def _number(token):
    text = token.text
    if token.integral and len(text) <= 20:
        n = int(text)
        for type_id, size in ((_INT8, 1), (_INT16, 2), (_INT32, 4), (_INT64, 8)):
            if -(1 << (8 * size - 1)) <= n < 1 << (8 * size - 1):
                return _primitive(type_id, n.to_bytes(size, "little", signed=True))
    if "e" not in text and "E" not in text:
        whole, _, fraction = text.lstrip("-").partition(".")
        digits = (whole + fraction).lstrip("0") or "0"
        if len(digits) <= 38 and len(fraction) <= 38:
            unscaled = -int(digits) if text.startswith("-") else int(digits)
            return _decimal_value(unscaled, len(fraction), len(digits))
    return _primitive(_DOUBLE, _struct.pack("<d", float(text)))


def _decimal_value(unscaled, scale, precision):
    """The smallest decimal type that holds both the digits and the scale."""
    for type_id, (size, max_digits) in _DECIMALS.items():
        if precision <= max_digits and scale <= max_digits:
            return _primitive(type_id, bytes([scale]) + unscaled.to_bytes(size, "little", signed=True))
    raise AssertionError("more than 38 digits")  # pragma: no cover - parse_json checks


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _uint(data, pos, size):
    """The little-endian unsigned integer of `size` bytes at `pos`; MALFORMED_VARIANT when
    that runs past the bytes."""
    if pos < 0 or pos + size > len(data):
        raise _malformed()
    return int.from_bytes(data[pos : pos + size], "little")


def _int(data, pos, size):
    if pos < 0 or pos + size > len(data):
        raise _malformed()
    return int.from_bytes(data[pos : pos + size], "little", signed=True)


class _Reader:
    """The parts of a variant at given positions of its value, every read checked."""

    def __init__(self, value, metadata):
        if not isinstance(value, (bytes, bytearray, memoryview)) or not isinstance(
            metadata, (bytes, bytearray, memoryview)
        ):
            raise _malformed()
        self.value = bytes(value)
        self.metadata = bytes(metadata)
        header = _uint(self.metadata, 0, 1)
        if header & 0x0F != _VERSION:
            raise _malformed()
        self.key_size = (header >> 6) + 1
        self.key_count = _uint(self.metadata, 1, self.key_size)
        self.keys_start = 1 + (self.key_count + 2) * self.key_size

    def key(self, key_id):
        if key_id >= self.key_count:
            raise _malformed()
        size = self.key_size
        start = _uint(self.metadata, 1 + (key_id + 1) * size, size)
        end = _uint(self.metadata, 1 + (key_id + 2) * size, size)
        if start > end or self.keys_start + end > len(self.metadata):
            raise _malformed()
        return self.metadata[self.keys_start + start : self.keys_start + end].decode("utf-8", "replace")

    def header(self, pos):
        """(basic type, type info) of the value at pos."""
        byte = _uint(self.value, pos, 1)
        return byte & 0x3, byte >> 2

    def fields(self, pos, info):
        """An object's (key, value position) pairs, in their stored (key) order."""
        large, id_size, offset_size = info >> 4 & 1, (info >> 2 & 3) + 1, (info & 3) + 1
        count_size = 4 if large else 1
        count = _uint(self.value, pos + 1, count_size)
        ids = pos + 1 + count_size
        offsets = ids + count * id_size
        data = offsets + (count + 1) * offset_size
        return [
            (self.key(_uint(self.value, ids + i * id_size, id_size)),
             data + _uint(self.value, offsets + i * offset_size, offset_size))
            for i in range(count)
        ]

    def elements(self, pos, info):
        """An array's element positions."""
        large, offset_size = info >> 2 & 1, (info & 3) + 1
        count_size = 4 if large else 1
        count = _uint(self.value, pos + 1, count_size)
        offsets = pos + 1 + count_size
        data = offsets + (count + 1) * offset_size
        return [data + _uint(self.value, offsets + i * offset_size, offset_size) for i in range(count)]

    def scalar(self, pos, basic, info):
        """(type id, content) of a primitive or a string: None, bool, int, float, str or bytes,
        (unscaled, scale) for decimals, days for dates, microseconds for timestamps."""
        value = self.value
        if basic == _SHORT_STRING:
            return _STRING, self.text(pos + 1, info)
        if info in (_NULL, _TRUE, _FALSE):
            return info, (None, True, False)[info]
        if info in (_INT8, _INT16, _INT32, _INT64):
            return info, _int(value, pos + 1, 1 << (info - _INT8))
        if info == _DOUBLE:
            return info, _struct.unpack("<d", _bytes(value, pos + 1, 8))[0]
        if info == _FLOAT:
            return info, _struct.unpack("<f", _bytes(value, pos + 1, 4))[0]
        if info in _DECIMALS:
            size, max_digits = _DECIMALS[info]
            scale = _uint(value, pos + 1, 1)
            unscaled = _int(value, pos + 2, size)
            if scale > max_digits or abs(unscaled) >= 10**max_digits:
                raise _malformed()
            return info, (unscaled, scale)
        if info == _DATE:
            return info, _int(value, pos + 1, 4)
        if info in (_TIMESTAMP, _TIMESTAMP_NTZ):
            return info, _int(value, pos + 1, 8)
        if info == _BINARY:
            return info, _bytes(value, pos + 5, _uint(value, pos + 1, 4))
        if info == _STRING:
            return info, self.text(pos + 5, _uint(value, pos + 1, 4))
        if info == _UUID:
            return info, _bytes(value, pos + 1, 16)
        raise _error("UNKNOWN_PRIMITIVE_TYPE_IN_VARIANT", id=info)

    def text(self, pos, size):
        return _bytes(self.value, pos, size).decode("utf-8", "replace")


def _bytes(data, pos, size):
    if pos < 0 or pos + size > len(data):
        raise _malformed()
    return data[pos : pos + size]


# ---------------------------------------------------------------------------------------------
# To Python values
# ---------------------------------------------------------------------------------------------


def to_python(value, metadata):
    """The variant as Python values: dict, list, None, bool, int, float, str, bytes,
    decimal.Decimal (with its stored scale), datetime.date, datetime.datetime (aware in UTC
    for a timestamp, naive for timestamp_ntz) and uuid.UUID."""
    return _python_at(_Reader(value, metadata), 0)


def _python_at(reader, pos):
    basic, info = reader.header(pos)
    if basic == _OBJECT:
        return {key: _python_at(reader, at) for key, at in reader.fields(pos, info)}
    if basic == _ARRAY:
        return [_python_at(reader, at) for at in reader.elements(pos, info)]
    type_id, content = reader.scalar(pos, basic, info)
    if type_id in _DECIMALS:
        unscaled, scale = content
        return _decimal.Decimal(unscaled).scaleb(-scale, _EXACT)
    if type_id == _DATE:
        return _dt.date.fromordinal(_EPOCH_DAYS + content)
    if type_id == _TIMESTAMP:
        return _EPOCH_UTC + _dt.timedelta(microseconds=content)
    if type_id == _TIMESTAMP_NTZ:
        return _EPOCH_UTC.replace(tzinfo=None) + _dt.timedelta(microseconds=content)
    if type_id == _UUID:
        return _uuid.UUID(bytes=content)
    return content


# ---------------------------------------------------------------------------------------------
# To JSON, as Spark's JVM writes it
# ---------------------------------------------------------------------------------------------


def to_json(value, metadata, zone_id="UTC"):
    """The variant as JSON text, exactly as Spark's Variant.toJson writes it: keys in stored
    order; strings escaped as Jackson does (", \\ and control characters; other characters
    as they are); doubles and floats as Java's Double.toString and Float.toString
    (NaN and the infinities quoted); decimals without trailing zeros and without exponent;
    dates, timestamps (in zone `zone_id`, with its offset), binaries (base64) and UUIDs as
    quoted strings."""
    zone = _UTC if zone_id in ("UTC", "Z") else _zone(zone_id)
    out = []
    _json_at(_Reader(value, metadata), 0, zone, out)
    return "".join(out)


def _zone(zone_id):
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone_id)


def _json_at(reader, pos, zone, out):
    basic, info = reader.header(pos)
    if basic == _OBJECT:
        out.append("{")
        for i, (key, at) in enumerate(reader.fields(pos, info)):
            out.append(',"' if i else '"')
            out.append(key.translate(_JSON_ESCAPES))
            out.append('":')
            _json_at(reader, at, zone, out)
        out.append("}")
    elif basic == _ARRAY:
        out.append("[")
        for i, at in enumerate(reader.elements(pos, info)):
            if i:
                out.append(",")
            _json_at(reader, at, zone, out)
        out.append("]")
    else:
        out.append(_scalar_json(*reader.scalar(pos, basic, info), zone))


# Jackson's escapes: the two-character ones, \uXXXX (upper-case hex) for other controls.
_JSON_ESCAPES = {c: "\\u%04X" % c for c in range(0x20)}
_JSON_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", 8: "\\b", 9: "\\t", 10: "\\n",
                      12: "\\f", 13: "\\r"})


def _quoted(text):
    return '"' + text.translate(_JSON_ESCAPES) + '"'


def _scalar_json(type_id, content, zone):
    if type_id == _NULL:
        return "null"
    if type_id in (_TRUE, _FALSE):
        return "true" if content else "false"
    if type_id in (_INT8, _INT16, _INT32, _INT64):
        return str(content)
    if type_id == _STRING:
        return _quoted(content)
    if type_id in (_DOUBLE, _FLOAT):
        text = _java_float_text(content, type_id == _FLOAT)
        return text if _math.isfinite(content) else '"%s"' % text
    if type_id in _DECIMALS:
        return _plain_decimal(*content)
    if type_id == _DATE:
        return '"%s"' % _date_text(content)
    if type_id == _TIMESTAMP:
        offset = _offset_seconds(zone, content)
        return '"%s%s"' % (_local_text(content + offset * 1000000), _offset_text(offset))
    if type_id == _TIMESTAMP_NTZ:
        return '"%s"' % _local_text(content)
    if type_id == _BINARY:
        import base64

        return '"%s"' % base64.b64encode(content).decode("ascii")
    return '"%s"' % _uuid.UUID(bytes=content)  # _UUID


def _java_float_text(x, single):
    """Java's Double.toString (Float.toString if `single`): the shortest digits that read
    back as x, plain from 10^-3 up to 10^7 ("100.0", "0.001"), else d.dddE<n>."""
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    sign = "-" if _math.copysign(1.0, x) < 0 else ""
    if x == 0:
        return sign + "0.0"
    digits, exponent = _shortest_digits(abs(x), single)
    if -3 <= exponent < 7:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            fraction = digits[exponent + 1 :] or "0"
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + digits
        return "%s%s.%s" % (sign, whole, fraction)
    return "%s%s.%sE%d" % (sign, digits[0], digits[1:] or "0", exponent)


def _shortest_digits(x, single):
    """(digits without trailing zeros, decimal exponent of the first digit) of the decimal
    Java's Double.toString (Float.toString if `single`) picks for x, positive, since JDK 19:
    the shortest that rounds to x, or when that is one digit, the closest of one or two."""

    def rounds_to_x(text):
        y = float(text)
        if single:
            try:
                y = _struct.unpack("<f", _struct.pack("<f", y))[0]
            except OverflowError:  # beyond the largest float
                return False
        return y == x

    text = repr(x)
    if single:
        text = next(t for t in ("%.*e" % (p, x) for p in range(9)) if rounds_to_x(t))
    _, digits, exponent = _decimal.Decimal(text).as_tuple()
    if len(digits) == 1 and rounds_to_x("%.1e" % x):
        _, digits, exponent = _decimal.Decimal("%.1e" % x).as_tuple()
    digits = "".join(map(str, digits))
    return digits.rstrip("0"), len(digits) - 1 + exponent


def _plain_decimal(unscaled, scale):
    """Java's BigDecimal.stripTrailingZeros().toPlainString(): "1" for 1.0, "0" for -0.0."""
    if unscaled == 0:
        return "0"
    while scale > 0 and unscaled % 10 == 0:
        unscaled //= 10
        scale -= 1
    sign, digits = ("-" if unscaled < 0 else ""), str(abs(unscaled))
    if scale == 0:
        return sign + digits
    digits = digits.rjust(scale + 1, "0")
    return "%s%s.%s" % (sign, digits[:-scale], digits[-scale:])


def _civil(days):
    """(year, month, day) of a day count from 1970-01-01 in the proleptic Gregorian calendar,
    for any year (Howard Hinnant's civil_from_days)."""
    z = days + 719468
    era = z // 146097
    day_of_era = z - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    mp = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def _date_text(days):
    """Java's LocalDate.toString: yyyy-MM-dd, a sign on years beyond 9999 and before 0."""
    year, month, day = _civil(days)
    if year > 9999:
        year_text = "+%d" % year
    elif year < 0:
        year_text = "-%04d" % -year
    else:
        year_text = "%04d" % year
    return "%s-%02d-%02d" % (year_text, month, day)


def _local_text(micros):
    """yyyy-MM-dd HH:mm:ss[.ffffff without trailing zeros] of microseconds from the epoch."""
    days, micro_of_day = divmod(micros, _MICROS_PER_DAY)
    seconds, fraction = divmod(micro_of_day, 1000000)
    text = "%s %02d:%02d:%02d" % (_date_text(days), seconds // 3600, seconds // 60 % 60, seconds % 60)
    if fraction:
        text += "." + ("%06d" % fraction).rstrip("0")
    return text


def _offset_seconds(zone, micros):
    """The zone's UTC offset at the instant, in seconds; for instants beyond Python's
    datetime, the offset at the nearest one it holds."""
    if zone is _UTC:
        return 0
    try:
        instant = _EPOCH_UTC + _dt.timedelta(microseconds=micros)
    except OverflowError:
        instant = _FIRST_INSTANT if micros < 0 else _LAST_INSTANT
    instant = min(max(instant, _FIRST_INSTANT), _LAST_INSTANT)
    return int(instant.astimezone(zone).utcoffset().total_seconds())


def _offset_text(seconds):
    """Java's "+HH:MM" offset (seconds dropped), "+00:00" for UTC."""
    if seconds == 0:
        return "+00:00"
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return "%s%02d:%02d" % (sign, minutes // 60, minutes % 60)
