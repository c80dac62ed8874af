"""``pyspark.sql.streaming``: the query exception; data source classes are in
``.datasource``."""

from rivulet.errors import StreamingQueryException  # noqa: F401
