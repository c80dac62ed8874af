"""Writing Arrow IPC streams: the encoding half of :mod:`rivulet.arrow_ipc`.

``encode_stream``, ``encode_stream_batches`` and ``encode_columns`` return a whole stream:
the schema message, one record batch message per batch, then the end-of-stream marker; the
bytes are those the engine's C++ writer writes for the same rows and schema.
``_message(header_type, header, body_length)`` is one message's framing and metadata: the
continuation marker, the metadata's length and the Message flatbuffer, padded to 8 bytes (the
body follows it).
"""

import struct as _struct

from rivulet._arrow_ipc import compiled as _compiled
from rivulet._arrow_ipc.encoder import _Body, _rows_to_columns
from rivulet._arrow_ipc.flatbuffer_writer import _Table
from rivulet._arrow_ipc.format import _CONTINUATION, _EOS, _H_RECORD_BATCH, _H_SCHEMA, _V5
from rivulet._arrow_ipc.schema_writer import _field_table


def _schema_message(schema):
    fields = [_field_table(f.name, f.dataType, f.nullable, f.metadata) for f in schema.fields]
    return _message(_H_SCHEMA, _Table().tables(1, fields), 0)


def _message(header_type, header, body_length):
    metadata = (
        _Table()
        .scalar(0, "<h", _V5)
        .scalar(1, "<B", header_type)
        .table(2, header)
        .scalar(3, "<q", body_length)
        .finish()
    )
    return _CONTINUATION + _struct.pack("<i", len(metadata)) + metadata


def _identity(i):
    return i


def _record_batch(columns, encoders, num_rows):
    """The Python encoder's record batch: its message, then the parts of its body."""
    body = _Body()
    for encoder, values in zip(encoders, columns):
        if len(values) != num_rows:
            raise ValueError(
                "column '%s' has %d values, expected %d" % (encoder.path, len(values), num_rows)
            )
        encoder.encode(values, _identity, body)
    nodes = b"".join(_struct.pack("<qq", *n) for n in body.nodes)
    buffers = b"".join(_struct.pack("<qq", *b) for b in body.buffers)
    return [_batch_message(num_rows, nodes, buffers, body.length)] + body.parts


def _batch_message(num_rows, nodes, buffers, body_length):
    """A record batch message's framing and metadata; ``nodes`` and ``buffers`` are the
    FieldNode and Buffer structs, 16 bytes each."""
    header = (
        _Table()
        .scalar(0, "<q", num_rows)
        .aligned8(1, nodes, len(nodes) // 16)
        .aligned8(2, buffers, len(buffers) // 16)
    )
    return _message(_H_RECORD_BATCH, header, body_length)


def _compiled_batch(encoded, num_rows):
    nodes, buffers, body = encoded
    return [_batch_message(num_rows, nodes, buffers, len(body)), body]


def encode_columns(columns, schema):
    """One record batch stream from column value lists (one list per field, equal lengths)."""
    encoders, compiled = _compiled.encoders(schema)
    if len(columns) != len(encoders):
        raise ValueError("expected %d columns, got %d" % (len(encoders), len(columns)))
    columns = [c if isinstance(c, list) else list(c) for c in columns]
    num_rows = len(columns[0]) if columns else 0
    parts = [_schema_message(schema)]
    encoded = None
    if compiled is not None and all(type(c) is list for c in columns):
        encoded = compiled.encode_columns(columns)
    if encoded is not None:
        parts += _compiled_batch(encoded, num_rows)
    else:
        parts += _record_batch(columns, encoders, num_rows)
    parts.append(_EOS)
    return b"".join(parts)


def encode_stream_batches(batches, schema, source_rules=False):
    """A stream with one record batch per list of rows; ``source_rules`` converts values as
    Spark converts what a data source's read() returns (see the encoder). Each batch is the
    compiled encoder's when it takes the batch, else the Python encoder's (compiled.py)."""
    encoders, compiled = _compiled.encoders(schema, source_rules)
    parts = [_schema_message(schema)]
    for rows in batches:
        rows = rows if isinstance(rows, list) else list(rows)
        encoded = None
        if compiled is not None and type(rows) is list:
            encoded = compiled.encode_rows(rows)
        if encoded is not None:
            parts += _compiled_batch(encoded, len(rows))
        else:
            parts += _record_batch(_rows_to_columns(rows, schema), encoders, len(rows))
    parts.append(_EOS)
    return b"".join(parts)


def encode_stream(rows, schema):
    """A stream of the rows as one record batch."""
    return encode_stream_batches([rows], schema)
