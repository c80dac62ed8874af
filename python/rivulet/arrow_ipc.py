"""Arrow IPC streams in pure Python: rows of a schema to stream bytes and back.

The engine and its Python workers exchange data as Arrow IPC streams. This module writes
exactly the bytes the engine's C++ writer writes for the same rows and schema (the rules are
in docs/format/arrow-ipc.md), and reads streams from any Arrow writer, mapping Arrow types to
the nearest Spark type as the engine does. It needs only the standard library.

    encode_stream(rows, schema) -> bytes          one record batch
    encode_stream_batches(batches, schema) -> bytes   one record batch per list of rows
    encode_columns(columns, schema) -> bytes      one record batch from column value lists
    decode_stream(data) -> (StructType, [tuple])
    decode_stream_batches(data) -> (StructType, [[tuple]])

Rows may be tuples or lists (by position), dicts (by field name; a missing name is None) or
Row objects (by name when they have names). Values by Spark type: int for byte/short/int/
long (bool is refused); float or int for float/double; decimal.Decimal or int for decimal
(no rounding: more fraction digits than the scale is an error); str for string; bytes or
bytearray for binary; bool for boolean; datetime.date (or datetime) for date;
datetime.datetime for timestamp (an aware one is converted to UTC, a naive one is taken as
UTC) and timestamp_ntz (its wall-clock time, any tzinfo ignored); datetime.timedelta for
interval day to second (its microseconds must fit int64); VariantVal for variant (others
are refused with Spark's [MALFORMED_VARIANT]); list or tuple for arrays; dict for maps;
tuple, list, dict or Row for structs. A value that does not fit raises
TypeError or ValueError naming the column (dotted for nested fields), the row, the expected
type and the value: "column 'id' (row 3): expected int, got str 'x'".

Decoded values: timestamps are aware datetimes in UTC, timestamp_ntz naive datetimes,
decimals decimal.Decimal, intervals (Arrow durations) datetime.timedelta, variants (structs
of binary value and metadata, the metadata field tagged variant=true) VariantVal, maps
dicts, nested structs Row objects with field names, and top-level rows plain tuples. Compressed streams cannot be decoded without an LZ4 or zstd
module; such a stream raises ValueError.

The implementation is the private package ``rivulet._arrow_ipc``.
"""

from rivulet._arrow_ipc.reader import decode_stream, decode_stream_batches
from rivulet._arrow_ipc.writer import encode_columns, encode_stream, encode_stream_batches

__all__ = [
    "encode_stream",
    "encode_stream_batches",
    "encode_columns",
    "decode_stream",
    "decode_stream_batches",
]
