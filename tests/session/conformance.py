"""What a user of a source sees after running it into the json sink, the same on Apache Spark
and on rivulet: each batch's logged offset (as text, as `offsets/N` holds it), each batch's
rows (from the files `_spark_metadata/N` lists), and the `commit(end)` calls the source got in
each run."""

import importlib.util
import json
import os
import sys
import urllib.parse

import cloudpickle
from pyspark import cloudpickle as pyspark_cloudpickle
from pyspark.sql.datasource import DataSource

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 180


def load_class(relative_path, class_name):
    """A DataSource class from a file of the project, pickled by value (so that the workers
    of either engine need not import its module by name)."""
    path = os.path.join(ROOT, relative_path)
    module_name = "conformance_" + os.path.splitext(relative_path)[0].replace("/", "_")
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    # rivulet pickles with cloudpickle, PySpark with the copy it bundles.
    cloudpickle.register_pickle_by_value(module)
    pyspark_cloudpickle.register_pickle_by_value(module)
    return getattr(module, class_name)


def recording_commits(source_class, calls_path):
    """A subclass of `source_class` whose reader appends each commit(end) to `calls_path`.
    It overrides only the reader method the class defines, so either engine picks the same
    kind of reader."""

    def wrap(reader):
        inner = reader.commit

        def commit(end):
            with open(calls_path, "a") as f:
                f.write(json.dumps(end, sort_keys=True) + "\n")
            return inner(end)

        reader.commit = commit
        return reader

    def reader_method(original):
        return lambda self, schema: wrap(original(self, schema))

    body = {}
    for method in ("streamReader", "simpleStreamReader"):
        original = getattr(source_class, method)
        if original is not getattr(DataSource, method):
            body[method] = reader_method(original)
    # DataSource.name() defaults to the class name: the subclass keeps the source's.
    return type(source_class.__name__, (source_class,), body)


def _logged_files(metadata_file):
    with open(metadata_file) as f:
        lines = f.read().splitlines()
    return [os.path.basename(urllib.parse.urlparse(json.loads(line)["path"]).path)
            for line in lines[1:] if line.strip()]


def _rows(out, files):
    rows = []
    for name in files:
        with open(os.path.join(out, name)) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def observe(spark, tmp, source_class, runs):
    """Runs the query once per (trigger, options) of `runs`, over one checkpoint and one
    output directory, and returns what the user sees."""
    calls = os.path.join(tmp, "commit-calls")
    os.makedirs(tmp, exist_ok=True)
    recorded = recording_commits(source_class, calls)
    spark.dataSource.register(recorded)
    out, checkpoint = os.path.join(tmp, "out"), os.path.join(tmp, "checkpoint")
    commits = []
    for trigger, options in runs:
        open(calls, "w").close()
        reader = spark.readStream.format(recorded.name())
        for key, value in options.items():
            reader = reader.option(key, value)
        q = (reader.load().writeStream.format("json").option("path", out)
             .option("checkpointLocation", checkpoint).trigger(**trigger).start())
        q.awaitTermination(TIMEOUT)
        assert not q.isActive, "the query did not end within %d s" % TIMEOUT
        with open(calls) as f:
            commits.append([json.loads(line) for line in f])
    batches = []
    offsets_dir = os.path.join(checkpoint, "offsets")
    ids = sorted(int(n) for n in os.listdir(offsets_dir) if n.isdigit())
    for batch_id in ids:
        with open(os.path.join(offsets_dir, str(batch_id))) as f:
            offset = f.read().splitlines()[2]
        files = _logged_files(os.path.join(out, "_spark_metadata", str(batch_id)))
        batches.append({"batch": batch_id, "offset": offset, "rows": _rows(out, files)})
    committed = sorted(int(n) for n in os.listdir(os.path.join(checkpoint, "commits"))
                       if n.isdigit())
    return {"batches": batches, "committed": committed, "commit_calls": commits}
