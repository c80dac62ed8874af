#!/usr/bin/env bash
# `pip install` the way a Python user does, into the machine's other Python: builds rivulet's
# wheel once (with the test environment build/venv, Debian's python3), installs it into a
# fresh virtual environment of the PATH's python3, which has no pyspark, and checks:
#   - `rivulet --version` and `rivulet.__version__` agree;
#   - a PySpark script with its source in __main__ runs there, on rivulet's stand-in
#     `pyspark` modules, and prints the same rows as in build/venv, where the driver and the
#     workers import the real pyspark 4.3;
#   - `pip install -e .` gives a working package and command too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
reference_python="$root/build/venv/bin/python"
[ -x "$reference_python" ] || { echo "pip_install: run scripts/test first (build/venv)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$reference_python" -m pip wheel -q --disable-pip-version-check --no-build-isolation --no-deps \
  -w "$work/wheels" "$root" >/dev/null
wheel=$(ls "$work"/wheels/rivulet-*.whl)

env -u PYTHONPATH python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel"
if "$work/venv/bin/python" -c "import importlib.util as u, sys; sys.exit(u.find_spec('pyspark') is None)"; then
  echo "pip_install: the fresh environment should not have pyspark"; exit 1
fi

command_version=$("$work/venv/bin/rivulet" --version)
package_version=$("$work/venv/bin/python" -c "import rivulet; print('rivulet', rivulet.__version__)")
[ "$command_version" = "$package_version" ] || {
  echo "pip_install: rivulet --version says '$command_version', the package '$package_version'"; exit 1; }

cat >"$work/script.py" <<'PY'
from rivulet import SparkSession
from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader


class Reader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"next": 0}

    def read(self, start):
        n = start["next"]
        if n >= 6:
            return iter([]), start
        return iter([(n, "row-%d" % n), (n + 1, "row-%d" % (n + 1))]), {"next": n + 2}

    def readBetweenOffsets(self, start, end):
        return iter([(i, "row-%d" % i) for i in range(start["next"], end["next"])])


class Pairs(DataSource):
    @classmethod
    def name(cls):
        return "pairs"

    def schema(self):
        return "id BIGINT, label STRING"

    def simpleStreamReader(self, schema):
        return Reader()


spark = SparkSession.builder.appName("pip-install").getOrCreate()
spark.dataSource.register(Pairs)
seen = []
query = (
    spark.readStream.format("pairs").load().writeStream
    .foreachBatch(lambda df, batch_id: seen.append((batch_id, sorted(df.collect()))))
    .trigger(processingTime="10 milliseconds")
    .start()
)
query.processAllAvailable()
query.stop()
for batch_id, rows in seen:
    print(batch_id, [tuple(r) for r in rows])
spark.stop()
PY
(cd "$work" && env -u PYTHONPATH "$work/venv/bin/python" script.py >stand-in.out)
(cd "$work" && env -u PYTHONPATH "$reference_python" script.py >real-pyspark.out)
grep -q "^2 \[(4, 'row-4'), (5, 'row-5')\]$" "$work/stand-in.out" || {
  echo "pip_install: the script did not deliver its three batches"; cat "$work/stand-in.out"; exit 1; }
diff -u "$work/real-pyspark.out" "$work/stand-in.out" || {
  echo "pip_install: the stand-in pyspark modules and the real pyspark disagree"; exit 1; }

# Development installs: the package's Python files stay in the checkout. Built with Debian's
# python3 (as the wheel above), so the build tree under build/wheel is reused.
/usr/bin/python3 -m venv "$work/venv-dev"
"$work/venv-dev/bin/pip" install -q --disable-pip-version-check \
  $(grep -E '^(scikit-build-core|nanobind|cloudpickle)==' "$root/scripts/requirements-test.txt")
"$work/venv-dev/bin/pip" install -q --disable-pip-version-check --no-build-isolation -e "$root" >/dev/null
[ "$("$work/venv-dev/bin/python" -c "import rivulet; print(rivulet.__file__)")" = "$root/python/rivulet/__init__.py" ] || {
  echo "pip_install: pip install -e . does not import the checkout's files"; exit 1; }
(cd "$work" && env -u PYTHONPATH "$work/venv-dev/bin/python" script.py >editable.out)
diff -u "$work/stand-in.out" "$work/editable.out" || { echo "pip_install: pip install -e . differs"; exit 1; }
editable_version=$("$work/venv-dev/bin/rivulet" --version)
[ "$editable_version" = "$package_version" ] || {
  echo "pip_install: after pip install -e ., rivulet --version says '$editable_version'"; exit 1; }
echo "pip_install: the wheel and pip install -e . work in a fresh $(python3 --version) environment"
