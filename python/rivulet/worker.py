"""The entry point of a worker process: ``python -m rivulet.worker --fds IN,OUT``.

The implementation is rivulet._worker; its names are re-exported here. Started as a program,
this module first makes sure rivulet's own modules load from cached bytecode: a worker's
start-up is on the path to a query's first batch, and compiling the package from source
takes longer than everything else a worker does before it answers. When the environment
disables bytecode writing (PYTHONDONTWRITEBYTECODE), rivulet's modules are cached under
$XDG_CACHE_HOME/rivulet/pycache (default ~/.cache/...) instead of beside the sources, and
the setting is restored before the source's own code is imported.
"""

import sys


def _load_with_bytecode_cache():
    import os

    if not sys.dont_write_bytecode or sys.pycache_prefix is not None:
        import rivulet._worker
        return
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    sys.pycache_prefix = os.path.join(base, "rivulet", "pycache")
    sys.dont_write_bytecode = False
    try:
        import rivulet._worker
        import rivulet._arrow_ipc.writer  # noqa: F401  (needed by the first read)
        import rivulet.sql.datasource  # noqa: F401
    finally:
        sys.pycache_prefix = None
        sys.dont_write_bytecode = True


if __name__ == "__main__":
    _load_with_bytecode_cache()

from rivulet._worker import *  # noqa: E402,F401,F403
from rivulet._worker import (  # noqa: E402,F401
    INTERNAL,
    INVALID_ARGUMENT,
    NOT_FOUND,
    NOT_IMPLEMENTED,
    STATUS_ERROR,
    STATUS_OK,
    USER_ERROR,
    Worker,
    main,
)

if __name__ == "__main__":
    sys.exit(main())
