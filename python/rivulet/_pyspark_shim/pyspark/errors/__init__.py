"""This module is :mod:`rivulet.errors` itself (see the shim's README)."""

import sys

import rivulet.errors as _target

sys.modules[__name__] = _target
