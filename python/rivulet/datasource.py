"""``rivulet.datasource`` is :mod:`rivulet.sql.datasource` (``pyspark.sql.datasource``'s path)
under its short name: importing it gives that module itself, so every name, private ones
included, is the same object under both paths."""

import sys

import rivulet.sql.datasource as _target

sys.modules[__name__] = _target
