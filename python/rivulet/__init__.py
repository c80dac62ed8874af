"""rivulet: a micro-batch streaming engine that runs PySpark's Python data sources.

The public modules are at PySpark's paths: ``rivulet.sql.datasource``
(pyspark.sql.datasource), ``rivulet.sql.types`` (pyspark.sql.types),
``rivulet.sql.streaming.datasource`` (pyspark.sql.streaming.datasource) and
``rivulet.errors`` (pyspark.errors). The short names ``rivulet.datasource``,
``rivulet.types`` and ``rivulet.streaming`` are the same modules.

The front end is PySpark's session API: ``from rivulet import SparkSession`` in place of
``from pyspark.sql import SparkSession``. Importing it makes ``pyspark.sql.datasource`` and
the other data source modules importable when no real pyspark is installed (see
:func:`install_pyspark_shim`).

Importing the package imports nothing else: worker start-up time matters, so the submodules
load on first use.
"""

__version__ = "0.1.0"


def __getattr__(name):
    if name == "SparkSession":
        install_pyspark_shim()
        from rivulet.sql.session import SparkSession

        return SparkSession
    raise AttributeError("module 'rivulet' has no attribute '%s'" % name)


def install_pyspark_shim():
    """Makes ``import pyspark...`` resolve to rivulet's modules in this interpreter, when no
    real pyspark is importable, so that a PySpark data source's code runs unchanged (in a
    test, say). Workers do this for every source; the user's own interpreter gets it only
    from this call. Returns True if the shim was installed, False if a real (or already
    shimmed) pyspark is importable."""
    import os
    import sys
    from importlib.machinery import PathFinder

    if "pyspark" in sys.modules or PathFinder.find_spec("pyspark") is not None:
        return False
    sys.path.append(_shim_dir())
    return True


def _shim_dir():
    import os

    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_pyspark_shim")


def _unload_shadowed_pyspark_shim():
    """Forgets the shim's ``pyspark`` modules when a real pyspark has become importable.

    A worker forked from the engine's template inherits the shim the template preloaded;
    a source whose python_path brings a real pyspark must get that one, as a worker started
    from scratch would. Returns True if the shim was unloaded."""
    import sys
    from importlib.machinery import PathFinder

    shim = _shim_dir()
    loaded = sys.modules.get("pyspark")
    if loaded is None or not (getattr(loaded, "__file__", None) or "").startswith(shim):
        return False
    if PathFinder.find_spec("pyspark", [p for p in sys.path if p != shim]) is None:
        return False
    for name in [n for n in sys.modules if n == "pyspark" or n.startswith("pyspark.")]:
        del sys.modules[name]
    sys.path.remove(shim)
    return True
