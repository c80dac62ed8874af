"""The ``rivulet`` command of an installed package: runs the engine's binary shipped inside
the package (rivulet/_bin/rivulet) with this interpreter for its Python workers."""

import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    binary = os.path.join(here, "_bin", "rivulet")
    env = dict(os.environ)
    env.setdefault("RIVULET_PYTHON", sys.executable)
    env.setdefault("RIVULET_PYTHON_PACKAGE_DIR", os.path.dirname(here))
    os.execve(binary, [binary] + sys.argv[1:], env)


if __name__ == "__main__":
    main()
