"""``rivulet.sql`` mirrors ``pyspark.sql``'s module paths, so that PySpark import lines map
one to one: ``rivulet.sql.datasource``, ``rivulet.sql.types``,
``rivulet.sql.streaming.datasource``."""

from rivulet.types import Row

__all__ = ["Row"]
