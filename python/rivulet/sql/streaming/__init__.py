"""``pyspark.sql.streaming``'s path: the data source classes live in ``.datasource``, the
listener in ``.listener``, queries in ``.query``, readStream/writeStream in ``.readwriter``.
Loaded on first use, so that a worker importing ``.datasource`` loads nothing else."""

_EXPORTS = {
    "StreamingQuery": "rivulet.sql.streaming.query",
    "StreamingQueryManager": "rivulet.sql.streaming.query",
    "DataStreamReader": "rivulet.sql.streaming.readwriter",
    "DataStreamWriter": "rivulet.sql.streaming.readwriter",
    "StreamingQueryListener": "rivulet.sql.streaming.listener",
    "StreamingQueryProgress": "rivulet.sql.streaming.listener",
}


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError("module 'rivulet.sql.streaming' has no attribute '%s'" % name)
    import importlib

    return getattr(importlib.import_module(module), name)
