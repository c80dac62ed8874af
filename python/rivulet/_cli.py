"""The ``rivulet`` command of an installed package: runs the engine's binary shipped inside
the package (rivulet/_bin/rivulet) with this interpreter for its Python workers."""

import os
import sys


def main():
    from rivulet import _engine

    here = os.path.dirname(os.path.abspath(__file__))
    # Beside the compiled module: in an editable install (pip install -e .) this file is the
    # checkout's, while the module and the binary are in site-packages.
    binary = os.path.join(os.path.dirname(os.path.abspath(_engine.__file__)), "_bin", "rivulet")
    env = dict(os.environ)
    env.setdefault("RIVULET_PYTHON", sys.executable)
    env.setdefault("RIVULET_PYTHON_PACKAGE_DIR", os.path.dirname(here))
    os.execve(binary, [binary] + sys.argv[1:], env)


if __name__ == "__main__":
    main()
