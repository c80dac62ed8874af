"""This module is :mod:`rivulet.sql.datasource` itself (see the shim's README)."""

import sys

import rivulet.sql.datasource as _target

sys.modules[__name__] = _target
