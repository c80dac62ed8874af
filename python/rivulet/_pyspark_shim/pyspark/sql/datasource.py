"""This module is :mod:`rivulet.datasource` itself (see the shim's README)."""

import sys

import rivulet.datasource as _target

sys.modules[__name__] = _target
