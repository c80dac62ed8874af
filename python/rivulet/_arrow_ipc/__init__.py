"""The pure-Python Arrow IPC codec behind :mod:`rivulet.arrow_ipc` (which documents the public
API and the mapping of Python values; docs/format/arrow-ipc.md documents the bytes). It needs
only the standard library; the compiled encoder is optional.

Writing and reading share only ``format``, so that a process that only writes (a worker)
loads only the writing half:

    format             the constants both halves use
    flatbuffer_writer  flatbuffer tables laid out as src/ipc/flatbuffer_writer.h does
    schema_writer      Spark types -> Arrow Field tables
    encoder            column values -> the nodes, buffers and body of a record batch
    compiled           a schema's encoders, made once: encoder's and the compiled one
                       (rivulet._rowcodec, src/rowcodec/) where the package has it
    writer             messages and whole streams: encode_stream, encode_stream_batches,
                       encode_columns
    flatbuffer_reader  range-checked flatbuffer tables; _Corrupt
    schema_reader      Arrow Field tables -> read plans and Spark types
    decoder            schema, dictionary and record batch messages -> Python values
    reader             a stream's framing: decode_stream, decode_stream_batches

Importing the package checks the byte order: buffers are packed and unpacked in the
machine's order, which must be Arrow's, little-endian.
"""

import sys as _sys

if _sys.byteorder != "little":  # pragma: no cover - the engine runs on little-endian only
    raise ImportError("rivulet.arrow_ipc needs a little-endian machine")
