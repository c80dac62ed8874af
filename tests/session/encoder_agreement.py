"""Running the two row encoders on the same batches: the compiled one (rivulet._rowcodec, as
the installed package has it) alone, and the pure-Python one (rivulet._arrow_ipc.encoder)
alone, so that a test can tell which one wrote what and which one refused."""

import contextlib
import os

import pytest

from rivulet import arrow_ipc
from rivulet import types as T
from rivulet._arrow_ipc import compiled, writer
from rivulet._arrow_ipc.format import _EOS

PURE_PYTHON = "RIVULET_PURE_PYTHON_ENCODER"


def schema(*fields):
    """A StructType of StructFields or (name, type) pairs."""
    return T.StructType([f if isinstance(f, T.StructField) else T.StructField(*f)
                         for f in fields])


def not_null(name, data_type):
    return T.StructField(name, data_type, False)


@contextlib.contextmanager
def pure_python():
    """The public functions use the pure-Python encoder in this block."""
    before = os.environ.get(PURE_PYTHON)
    os.environ[PURE_PYTHON] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[PURE_PYTHON]
        else:
            os.environ[PURE_PYTHON] = before


def row_encoder(s, source_rules):
    encoder = compiled.encoders(s, source_rules)[1]
    assert encoder is not None, "no compiled encoder: is %s set?" % PURE_PYTHON
    return encoder


def compiled_stream(batches, s, source_rules):
    """The stream as the compiled encoder alone writes it; fails if it declines a batch."""
    encoder = row_encoder(s, source_rules)
    parts = [writer._schema_message(s)]
    for i, rows in enumerate(batches):
        encoded = encoder.encode_rows(list(rows))
        assert encoded is not None, "the compiled encoder declined batch %d" % i
        parts += writer._compiled_batch(encoded, len(rows))
    parts.append(_EOS)
    return b"".join(parts)


def python_stream(batches, s, source_rules):
    with pure_python():
        return arrow_ipc.encode_stream_batches(batches, s, source_rules=source_rules)


def assert_same_stream(batches, s, source_rules):
    """The compiled encoder takes every batch and writes the Python encoder's bytes, and so
    does the public function."""
    expected = python_stream(batches, s, source_rules)
    assert compiled_stream(batches, s, source_rules) == expected
    assert arrow_ipc.encode_stream_batches(batches, s, source_rules=source_rules) == expected


def refusal(batches, s, source_rules):
    """"Type: message" of the error the public function raises."""
    with pytest.raises((TypeError, ValueError, OverflowError)) as info:
        arrow_ipc.encode_stream_batches(batches, s, source_rules=source_rules)
    return "%s: %s" % (type(info.value).__name__, info.value)


def assert_same_refusal(rows, s, source_rules, expected):
    """The compiled encoder declines the batch (it never makes bytes of it), and the public
    function raises `expected`, as the pure-Python encoder alone does."""
    assert row_encoder(s, source_rules).encode_rows(list(rows)) is None
    with pure_python():
        assert refusal([rows], s, source_rules) == expected
    assert refusal([rows], s, source_rules) == expected
