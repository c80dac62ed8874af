"""``pyspark.sql.datasource``'s path for :mod:`rivulet.datasource`."""

from rivulet.datasource import *  # noqa: F401,F403
from rivulet.datasource import __all__  # noqa: F401
