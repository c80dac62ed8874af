"""Constants of the Arrow IPC format that writing and reading share: the framing markers, the
metadata version rivulet writes (V5), the ids of the flatbuffer unions Type and MessageHeader
(Schema.fbs, Message.fbs), the names of the time units, and the epochs and the decimal
context that Spark's dates, timestamps and decimals are converted with.
"""

import datetime as _dt
import decimal as _decimal

_CONTINUATION = b"\xff\xff\xff\xff"
_EOS = _CONTINUATION + b"\x00\x00\x00\x00"
_V5 = 4
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_UTC = _dt.timezone.utc
_EPOCH_UTC = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE = _dt.datetime(1970, 1, 1)
# Exact decimal arithmetic for up to 38 digits shifted by up to 38 places.
_DECIMAL_CONTEXT = _decimal.Context(prec=100, Emax=999999, Emin=-999999)

# Arrow Type union ids and MessageHeader ids.
_T_NULL, _T_INT, _T_FLOAT, _T_BINARY, _T_UTF8, _T_BOOL, _T_DECIMAL, _T_DATE = 1, 2, 3, 4, 5, 6, 7, 8
_T_TIME, _T_TIMESTAMP, _T_INTERVAL, _T_LIST, _T_STRUCT, _T_UNION = 9, 10, 11, 12, 13, 14
_T_FIXED_BINARY, _T_FIXED_LIST, _T_MAP, _T_DURATION = 15, 16, 17, 18
_T_LARGE_BINARY, _T_LARGE_UTF8, _T_LARGE_LIST = 19, 20, 21
_H_SCHEMA, _H_DICTIONARY, _H_RECORD_BATCH = 1, 2, 3

_UNIT_NAMES = ["s", "ms", "us", "ns"]
