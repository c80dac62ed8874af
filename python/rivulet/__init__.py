"""rivulet: a micro-batch streaming engine that runs PySpark's Python data sources.

The public modules are at PySpark's paths: ``rivulet.sql.datasource``
(pyspark.sql.datasource), ``rivulet.sql.types`` (pyspark.sql.types),
``rivulet.sql.streaming.datasource`` (pyspark.sql.streaming.datasource) and
``rivulet.errors`` (pyspark.errors). The short names ``rivulet.datasource``,
``rivulet.types`` and ``rivulet.streaming`` are the same modules.

Importing the package imports nothing else: worker start-up time matters, so the submodules
load on first use.
"""

__version__ = "0.1.0"


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
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "_pyspark_shim"))
    return True
