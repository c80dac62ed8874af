"""This module is :mod:`rivulet.streaming` itself (see the shim's README)."""

import sys

import rivulet.streaming as _target

sys.modules[__name__] = _target
