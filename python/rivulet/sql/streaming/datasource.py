"""``pyspark.sql.streaming.datasource``'s path for :mod:`rivulet.streaming`."""

from rivulet.streaming import *  # noqa: F401,F403
from rivulet.streaming import __all__  # noqa: F401
