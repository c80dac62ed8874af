"""pyspark as a data source running on rivulet sees it (see ../README.md)."""

from rivulet.sql.types import Row  # noqa: F401

__version__ = "4.2.0"
