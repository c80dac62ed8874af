"""This module is :mod:`rivulet.sql.types` itself (see the shim's README)."""

import sys

import rivulet.sql.types as _target

sys.modules[__name__] = _target
