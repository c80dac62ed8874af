"""PySpark's ``pyspark.sql.streaming.listener``: the listener interface, its four events, and
the progress objects queries report (``StreamingQuery.lastProgress``).

As in PySpark 4, the progress classes are dicts of the JSON Spark writes, with the same keys,
plus attributes for each key; ``id`` and ``runId`` are ``uuid.UUID`` attributes and strings
when read as keys. Events are built from the engine's JSON (rivulet._engine's listener).
"""

import datetime as _datetime
import json as _json
import uuid as _uuid

__all__ = [
    "StreamingQueryListener",
    "QueryStartedEvent",
    "QueryProgressEvent",
    "QueryIdleEvent",
    "QueryTerminatedEvent",
    "StreamingQueryProgress",
    "SourceProgress",
    "SinkProgress",
]


class StreamingQueryListener:
    """Override the callbacks you need; each gets its event. They run on one engine thread,
    in each query's event order; onQueryStarted runs inside ``start()``."""

    def onQueryStarted(self, event):
        pass

    def onQueryProgress(self, event):
        pass

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        pass


def _iso_timestamp(epoch_ms):
    """Spark's event time text: 2026-12-01T10:00:00.123Z."""
    moment = _datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=_datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (epoch_ms % 1000)


class QueryStartedEvent:
    def __init__(self, id, runId, name, timestamp):
        self._id, self._runId, self._name, self._timestamp = id, runId, name, timestamp

    @classmethod
    def _from_engine(cls, j):
        return cls(
            _uuid.UUID(j["id"]), _uuid.UUID(j["runId"]), j["name"], _iso_timestamp(j["timestamp"])
        )

    id = property(lambda self: self._id)
    runId = property(lambda self: self._runId)
    name = property(lambda self: self._name)
    timestamp = property(lambda self: self._timestamp)

    @property
    def jobTags(self):
        return set()


class QueryProgressEvent:
    def __init__(self, progress):
        self._progress = progress

    progress = property(lambda self: self._progress)


class QueryIdleEvent:
    def __init__(self, id, runId, timestamp):
        self._id, self._runId, self._timestamp = id, runId, timestamp

    @classmethod
    def _from_engine(cls, j):
        return cls(_uuid.UUID(j["id"]), _uuid.UUID(j["runId"]), _iso_timestamp(j["timestamp"]))

    id = property(lambda self: self._id)
    runId = property(lambda self: self._runId)
    timestamp = property(lambda self: self._timestamp)


class QueryTerminatedEvent:
    def __init__(self, id, runId, exception, errorClassOnException):
        self._id, self._runId = id, runId
        self._exception, self._errorClassOnException = exception, errorClassOnException

    @classmethod
    def _from_engine(cls, j):
        return cls(
            _uuid.UUID(j["id"]), _uuid.UUID(j["runId"]), j["exception"], j["errorClassOnException"]
        )

    id = property(lambda self: self._id)
    runId = property(lambda self: self._runId)
    exception = property(lambda self: self._exception)
    errorClassOnException = property(lambda self: self._errorClassOnException)


class _JsonDict(dict):
    """A dict of Spark's progress JSON whose keys are also attributes."""

    def __init__(self, j):
        super().__init__(j)
        self._json = j

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def json(self):
        return _json.dumps(self._json)

    @property
    def prettyJson(self):
        return _json.dumps(self._json, indent=4)

    def __str__(self):
        return self.prettyJson

    __repr__ = __str__


def _offset_text(value):
    return value if value is None or isinstance(value, str) else _json.dumps(value)


class SourceProgress(_JsonDict):
    def __init__(self, j):
        super().__init__(j)
        for key in ("startOffset", "endOffset", "latestOffset"):
            if key in self:
                dict.__setitem__(self, key, _offset_text(self[key]))


class SinkProgress(_JsonDict):
    def __init__(self, j):
        super().__init__({"description": j.get("description"),
                          "numOutputRows": j.get("numOutputRows", -1),
                          "metrics": j.get("metrics") or {}})
        self._json = j


# The keys of PySpark 4's StreamingQueryProgress dict, in its order.
_PROGRESS_KEYS = (
    "id", "runId", "name", "timestamp", "batchId", "batchDuration", "durationMs", "eventTime",
    "stateOperators", "sources", "sink", "numInputRows", "inputRowsPerSecond",
    "processedRowsPerSecond", "observedMetrics",
)


class StreamingQueryProgress(_JsonDict):
    def __init__(self, j, text=None):
        ordered = {key: j.get(key) for key in _PROGRESS_KEYS}
        for key in ("durationMs", "eventTime", "observedMetrics"):
            ordered[key] = ordered[key] or {}
        ordered["stateOperators"] = ordered["stateOperators"] or []
        ordered["id"] = _uuid.UUID(j["id"])
        ordered["runId"] = _uuid.UUID(j["runId"])
        ordered["sources"] = [SourceProgress(s) for s in j.get("sources") or []]
        ordered["sink"] = SinkProgress(j.get("sink") or {})
        super().__init__(ordered)
        self._json = j
        self._text = text

    @classmethod
    def _from_engine(cls, text):
        return cls(_json.loads(text), text)

    @property
    def json(self):
        """The compact JSON the engine wrote, Spark's StreamingQueryProgress.json."""
        return self._text if self._text is not None else _json.dumps(self._json)

    def __getitem__(self, key):
        # As in PySpark 4: the ids are UUIDs as attributes, strings as keys.
        value = super().__getitem__(key)
        return str(value) if key in ("id", "runId") else value

    def __getattr__(self, key):
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            raise AttributeError(key) from None


class _ListenerBridge:
    """What the engine calls: turns its JSON into events for one user listener."""

    def __init__(self, listener):
        self.listener = listener

    def _started(self, text):
        self.listener.onQueryStarted(QueryStartedEvent._from_engine(_json.loads(text)))

    def _progress(self, text):
        self.listener.onQueryProgress(QueryProgressEvent(StreamingQueryProgress._from_engine(text)))

    def _idle(self, text):
        self.listener.onQueryIdle(QueryIdleEvent._from_engine(_json.loads(text)))

    def _terminated(self, text):
        self.listener.onQueryTerminated(QueryTerminatedEvent._from_engine(_json.loads(text)))
