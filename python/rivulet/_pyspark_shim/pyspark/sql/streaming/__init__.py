"""``pyspark.sql.streaming``: the query exception and the listener classes; data source
classes are in ``.datasource``."""

from rivulet.errors import StreamingQueryException  # noqa: F401
from rivulet.sql.streaming.listener import (  # noqa: F401
    QueryIdleEvent,
    QueryProgressEvent,
    QueryStartedEvent,
    QueryTerminatedEvent,
    StreamingQueryListener,
)
