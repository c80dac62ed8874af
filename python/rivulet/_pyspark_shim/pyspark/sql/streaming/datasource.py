"""This module is :mod:`rivulet.sql.streaming.datasource` itself (see the shim's README)."""

import sys

import rivulet.sql.streaming.datasource as _target

sys.modules[__name__] = _target
