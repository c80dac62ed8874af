"""rivulet: a micro-batch streaming engine that runs PySpark's Python data sources.

Public modules mirror PySpark's: ``rivulet.datasource`` (pyspark.sql.datasource),
``rivulet.types`` (pyspark.sql.types) and ``rivulet.streaming``
(pyspark.sql.streaming.datasource), also reachable as ``rivulet.sql.datasource``,
``rivulet.sql.types`` and ``rivulet.sql.streaming.datasource``.

Importing the package imports nothing else: worker start-up time matters, so the submodules
load on first use.
"""

__version__ = "0.1.0"
