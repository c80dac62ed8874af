"""``rivulet.streaming`` is :mod:`rivulet.sql.streaming.datasource`
(``pyspark.sql.streaming.datasource``'s path) under its short name: importing it gives that
module itself, so every name, private ones included, is the same object under both paths."""

import sys

import rivulet.sql.streaming.datasource as _target

sys.modules[__name__] = _target
