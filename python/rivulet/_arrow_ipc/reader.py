"""Reading Arrow IPC streams: the decoding half of :mod:`rivulet.arrow_ipc`.

``decode_stream_batches(data)`` splits a stream into its messages (framed with the
continuation marker or in the older framing without it), hands them to a ``_Decoder`` and
returns the schema and the rows of each record batch; ``decode_stream(data)`` returns all
rows in one list. A truncated stream, bytes after the end-of-stream marker or a stream
without a schema message raise ``_Corrupt``; an error in a message says at which byte the
message starts.
"""

import struct as _struct

from rivulet._arrow_ipc.decoder import _Decoder
from rivulet._arrow_ipc.flatbuffer_reader import _Corrupt, _FlatReader


def decode_stream_batches(data):
    """(StructType, [[row tuple]]): the schema and the rows of each record batch."""
    data = bytes(data)
    decoder = _Decoder()
    pos = 0
    size = len(data)
    ended = False
    try:
        while pos < size:
            if size - pos < 4:
                raise _Corrupt("stream is truncated at byte %d" % pos)
            (first,) = _struct.unpack_from("<I", data, pos)
            prefix = 4
            length = first
            if first == 0xFFFFFFFF:
                if size - pos < 8:
                    raise _Corrupt("stream is truncated at byte %d" % pos)
                (length,) = _struct.unpack_from("<i", data, pos + 4)
                prefix = 8
            else:
                (length,) = _struct.unpack_from("<i", data, pos)
            if length == 0:
                pos += prefix
                ended = True
                break
            if length < 0:
                raise _Corrupt("negative metadata length %d" % length)
            start = pos + prefix
            if start + length > size:
                raise _Corrupt("stream is truncated: metadata at byte %d runs past the end" % start)
            metadata = data[start : start + length]
            body_length = _FlatReader(metadata).root().scalar(3, "<q")
            if body_length < 0:
                raise _Corrupt("negative message body length %d" % body_length)
            if start + length + body_length > size:
                raise _Corrupt("stream is truncated: the body at byte %d runs past the end" % (start + length))
            body = data[start + length : start + length + body_length]
            try:
                decoder.message(metadata, body)
            except _Corrupt as e:
                raise _Corrupt("message at byte %d: %s" % (pos, e)) from None
            pos = start + length + body_length
    except _struct.error as e:  # pragma: no cover - every read is range-checked first
        raise _Corrupt("malformed Arrow stream: %s" % e) from None
    if ended and pos != size:
        raise _Corrupt("%d bytes after the end-of-stream marker" % (size - pos))
    if decoder.schema is None:
        raise _Corrupt("stream ends before its schema message")
    return decoder.schema, decoder.batches


def decode_stream(data):
    """(StructType, [row tuple]): the schema and the rows of all record batches."""
    schema, batches = decode_stream_batches(data)
    return schema, [row for batch in batches for row in batch]
