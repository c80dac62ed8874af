"""This module is :mod:`rivulet.types` itself (see the shim's README)."""

import sys

import rivulet.types as _target

sys.modules[__name__] = _target
