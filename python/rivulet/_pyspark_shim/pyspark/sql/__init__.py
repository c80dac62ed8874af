"""The names of ``pyspark.sql`` that data source modules import."""

import rivulet.sql.types as types  # noqa: F401
from rivulet.sql.types import Row, VariantVal

__all__ = ["SparkSession", "DataFrame", "Row", "VariantVal"]


class _NoSession(RuntimeError):
    def __init__(self):
        super().__init__(
            "rivulet runs Python data sources without a SparkSession; start the query with "
            "`rivulet run --source path/to/source.py:ClassName`"
        )


class _Builder:
    """``SparkSession.builder``: configuration calls chain; getOrCreate() explains that there
    is no session here."""

    def appName(self, name):
        return self

    def master(self, master):
        return self

    def config(self, *args, **kwargs):
        return self

    def enableHiveSupport(self):
        return self

    def getOrCreate(self):
        raise _NoSession()

    def create(self):
        raise _NoSession()


class SparkSession:
    """Importable so that sources load; there is no session inside a rivulet worker."""

    builder = _Builder()

    def __init__(self, *args, **kwargs):
        raise _NoSession()

    @classmethod
    def getActiveSession(cls):
        return None

    @classmethod
    def active(cls):
        raise _NoSession()


class DataFrame:
    """Importable for type annotations; there are no DataFrames inside a rivulet worker."""

    def __init__(self, *args, **kwargs):
        raise _NoSession()
