#!/usr/bin/env bash
# Installs rivulet into a temporary prefix (cmake --install) and checks what a user gets:
# a program outside the tree builds against it with find_package(rivulet) and runs a
# query, and the installed rivulet command finds its Python package beside itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake -S "$root" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DRIVULET_BUILD_TESTS=OFF -DRIVULET_BUILD_BENCHMARKS=OFF -DRIVULET_WERROR=ON >/dev/null
ninja -C "$work/build" >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null

cmake -S "$root/tests/install" -B "$work/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
ninja -C "$work/consumer" >/dev/null
"$work/consumer/consumer" "$work/cp-embedded" >"$work/embedded.out"
grep -q "Batch: 1" "$work/embedded.out" || { echo "install: the embedded query did not run two batches"; cat "$work/embedded.out"; exit 1; }

# The installed command runs a Python source with the package from <prefix>/share.
cat >"$work/counter.py" <<'PY'
from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

class Reader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"next": 0}
    def read(self, start):
        n = start["next"]
        return iter([(n,)]), {"next": n + 1}
    def readBetweenOffsets(self, start, end):
        return iter([(i,) for i in range(start["next"], end["next"])])

class Counter(DataSource):
    def schema(self):
        return "id LONG"
    def simpleStreamReader(self, schema):
        return Reader()
PY
(cd "$work" && env -u RIVULET_PYTHON_PACKAGE_DIR PYTHONPATH= "$work/prefix/bin/rivulet" run \
  --source counter.py:Counter --checkpoint cp-python --max-batches 2 >"$work/python.out")
grep -q "Batch: 1" "$work/python.out" || { echo "install: the installed command did not run the Python source"; cat "$work/python.out"; exit 1; }
test -f "$work/prefix/share/rivulet/python/rivulet/_template.py"
test -f "$work/prefix/lib/cmake/rivulet/rivuletConfig.cmake"
echo "install: find_package(rivulet) and the installed command work"
