"""``rivulet.sql`` holds the data source API at ``pyspark.sql``'s module paths, so that
PySpark import lines map one to one: ``rivulet.sql.datasource``, ``rivulet.sql.types`` and
``rivulet.sql.streaming.datasource``. ``Row`` and ``VariantVal`` are here too, as in
``pyspark.sql``."""

from rivulet.sql.types import Row, VariantVal

__all__ = ["Row", "VariantVal"]
