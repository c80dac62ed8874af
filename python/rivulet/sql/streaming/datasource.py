"""Admission control and Trigger.AvailableNow for stream readers (Spark 4.2's
``pyspark.sql.streaming.datasource``).

A read limit tells ``DataSourceStreamReader.latestOffset(start, limit)`` how much one batch
may admit. The engine passes the reader's ``getDefaultReadLimit()`` under processing-time and
available-now triggers and ``ReadAllAvailable()`` under a once trigger; the reader must obey
the limit it is given. On the worker wire a limit is a JSON object tagged with its class
name: ``{"_type": "ReadMaxRows", "max_rows": 2}``.

The limits behave as PySpark's dataclasses (keyword or positional construction, equality by
value, ``repr``) without importing ``dataclasses``, which would slow the worker's start.
"""

from abc import ABC, abstractmethod

__all__ = [
    "ReadLimit",
    "ReadAllAvailable",
    "ReadMinRows",
    "ReadMaxRows",
    "ReadMaxFiles",
    "ReadMaxBytes",
    "SupportsTriggerAvailableNow",
]


class ReadLimit:
    """Base of the read limits. Only the built-in limits below are supported."""

    _field = None  # the one parameter of the limit, or None

    def __init__(self, *args, **kwargs):
        cls = type(self).__name__
        names = [self._field] if self._field else []
        if len(args) > len(names):
            raise TypeError(
                "%s() takes %d positional argument(s) but %d were given"
                % (cls, len(names), len(args))
            )
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError("%s() got an unexpected keyword argument '%s'" % (cls, key))
            if key in values:
                raise TypeError("%s() got multiple values for argument '%s'" % (cls, key))
            values[key] = value
        for name in names:
            if name not in values:
                raise TypeError("%s() missing required argument: '%s'" % (cls, name))
            setattr(self, name, values[name])

    def __eq__(self, other):
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self):
        return hash((type(self).__name__,) + tuple(sorted(vars(self).items())))

    def __repr__(self):
        return "%s(%s)" % (
            type(self).__name__,
            ", ".join("%s=%r" % kv for kv in vars(self).items()),
        )


class ReadAllAvailable(ReadLimit):
    """Read everything available, whatever the source's own options say."""


class ReadMinRows(ReadLimit):
    """Admit a batch only once at least ``min_rows`` rows are available. Unsafe with
    Trigger.AvailableNow: the source could wait for ever."""

    _field = "min_rows"


class ReadMaxRows(ReadLimit):
    """Admit at most ``max_rows`` rows into one batch."""

    _field = "max_rows"


class ReadMaxFiles(ReadLimit):
    """Admit at most ``max_files`` files into one batch."""

    _field = "max_files"


class ReadMaxBytes(ReadLimit):
    """Admit at most ``max_bytes`` bytes into one batch."""

    _field = "max_bytes"


_LIMITS = {
    cls.__name__: cls
    for cls in (ReadAllAvailable, ReadMinRows, ReadMaxRows, ReadMaxFiles, ReadMaxBytes)
}


def _limit_to_json_value(limit):
    """``{"_type": "ReadMaxRows", "max_rows": 2}``. Limits are matched by class name, so that
    real pyspark's limits serialise too; anything else raises TypeError."""
    name = type(limit).__name__
    cls = _LIMITS.get(name)
    if cls is None:
        raise TypeError(
            "expected a read limit (ReadAllAvailable, ReadMinRows, ReadMaxRows, "
            "ReadMaxFiles or ReadMaxBytes), got %s" % name
        )
    value = {"_type": name}
    if cls._field is not None:
        value[cls._field] = getattr(limit, cls._field)
    return value


def _limit_from_json_value(value, module_limits=None):
    """The inverse of :func:`_limit_to_json_value`. ``module_limits`` maps class names to the
    classes to build (real pyspark's, when the source uses them)."""
    if not isinstance(value, dict) or not isinstance(value.get("_type"), str):
        raise ValueError("a read limit must be a JSON object with a \"_type\", got %r" % (value,))
    params = dict(value)
    name = params.pop("_type")
    classes = module_limits or _LIMITS
    if name not in classes:
        raise ValueError("name '%s' is not registered." % name)
    return classes[name](**params)


class SupportsTriggerAvailableNow(ABC):
    """Mixin for either reader kind that supports Trigger.AvailableNow."""

    @abstractmethod
    def prepareForTriggerAvailableNow(self):
        """Called once when an available-now query starts: record the offset of the data
        available now (the target) and never report an offset beyond it, so that reads
        eventually return their start offset and the query ends."""
