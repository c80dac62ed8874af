"""rivulet next to Apache Spark (PySpark 4.3, local[2]) with the same source classes
(bench/spark_compare_sources.py), both engines in one run, each in a process of its own.

    build/venv/bin/python bench/spark_compare.py [--repeats 2]

rivulet runs twice: in this environment, where its workers import the real pyspark as
Spark's do, and "alone", in an interpreter that sees rivulet, cloudpickle and pyarrow but
no pyspark, as a user of rivulet alone has it.

Figures, each engine's runs interleaved (rivulet, Spark, rivulet, ...) so that both see the
same machine load; medians over the repeats:

  - start: from writeStream...start() to the first committed batch (commits/0 on disk), the
    session already up; a simple reader of one row a batch into the json sink;
  - per batch: the time between commits with one row a batch (the same query, batches 5-25);
  - rows/s: a simple reader of tuples, and a partitioned reader yielding pyarrow
    RecordBatches, 100,000 rows a batch, into the noop sink (batches 1-6);
  - latency: rows made available at 10,000 rows/s (row i at start + i / 10000 s), from that
    moment to the commit of its batch, default trigger, noop sink; p50 and p99 over about
    5 s after a 1 s warm-up;
  - memory: resident size of the engine's whole process tree while the tuples query runs
    (Spark: the driver's Python, the JVM and its Python workers; rivulet: the script's
    process and its workers).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 180


# ---- in the child: one engine ------------------------------------------------------------


def make_session(engine):
    if engine == "rivulet":
        from rivulet import SparkSession

        return SparkSession.builder.appName("compare").getOrCreate()
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("compare")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class CommitWatch:
    """Notes when each commits/<id> of a checkpoint first appears (polling every ms), and
    the end offset its offsets/<id> holds, read at once (retention deletes old ones)."""

    def __init__(self, checkpoint):
        self.dir = os.path.join(checkpoint, "commits")
        self.offsets = os.path.join(checkpoint, "offsets")
        self.times = {}
        self.ends = {}
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        next_id = 0
        while not self._stop:
            if os.path.exists(os.path.join(self.dir, str(next_id))):
                self.times[next_id] = time.time()
                try:
                    with open(os.path.join(self.offsets, str(next_id))) as f:
                        self.ends[next_id] = f.read().split("\n")[2]
                except OSError:
                    pass
                next_id += 1
                continue
            time.sleep(0.001)

    def wait(self, batch_id, query):
        deadline = time.time() + TIMEOUT
        while batch_id not in self.times:
            if not query.isActive:
                raise RuntimeError("query ended: %r" % query.exception())
            if time.time() > deadline:
                raise RuntimeError("no commit of batch %d" % batch_id)
            time.sleep(0.001)
        return self.times[batch_id]

    def stop(self):
        self._stop = True
        self._thread.join()


def start(spark, fmt, sink, work, name, **options):
    checkpoint = os.path.join(work, name)
    reader = spark.readStream.format(fmt)
    for k, v in options.items():
        reader = reader.option(k, str(v))
    writer = reader.load().writeStream.format(sink).option("checkpointLocation", checkpoint)
    if sink == "json":
        writer = writer.option("path", checkpoint + "-out")
    watch = CommitWatch(checkpoint)
    return writer.start(), watch, checkpoint


def tree_rss_mib(pid):
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            kids.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def measure(engine, work):
    spark = make_session(engine)  # rivulet's makes pyspark.sql.datasource importable
    from spark_compare_sources import ArrowSource, ClockSource, OneRowSource, TupleSource

    for cls in (ArrowSource, ClockSource, OneRowSource, TupleSource):
        spark.dataSource.register(cls)
    out = {}

    starts = []
    for i in range(3):
        t0 = time.time()
        query, watch, _ = start(spark, "one_row", "json", work, "start-%d" % i)
        starts.append(watch.wait(0, query) - t0)
        query.stop()
        watch.stop()
    out["start_s"] = statistics.median(starts)

    query, watch, _ = start(spark, "one_row", "json", work, "per-batch")
    t5, t25 = watch.wait(5, query), watch.wait(25, query)
    query.stop()
    watch.stop()
    out["per_batch_ms"] = (t25 - t5) / 20 * 1000

    for fmt, key in (("tuples", "tuples_rows_per_s"), ("arrow_rows", "arrow_rows_per_s")):
        query, watch, _ = start(spark, fmt, "noop", work, fmt, rows_per_batch=100000)
        t1 = watch.wait(1, query)
        if fmt == "tuples":
            out["tree_rss_mib"] = tree_rss_mib(os.getpid())
        t6 = watch.wait(6, query)
        query.stop()
        watch.stop()
        out[key] = 5 * 100000 / (t6 - t1)

    rate, began = 10000.0, time.time()
    query, watch, checkpoint = start(spark, "clock", "noop", work, "latency", start=began,
                                     rate=rate)
    time.sleep(6.0)
    query.stop()
    watch.stop()
    latencies = []
    first = 0
    for batch_id, committed in sorted(watch.times.items()):
        if batch_id not in watch.ends:
            break
        end = json.loads(watch.ends[batch_id])["n"]
        for i in range(first, end):
            available = began + i / rate
            if available >= began + 1.0:  # past the warm-up
                latencies.append(committed - available)
        first = end
    latencies.sort()
    out["latency_p50_ms"] = latencies[len(latencies) // 2] * 1000
    out["latency_p99_ms"] = latencies[int(len(latencies) * 0.99)] * 1000
    out["latency_rows"] = len(latencies)
    spark.stop()
    return out


# ---- in the parent: both engines, interleaved ----------------------------------------------


# What rivulet needs of this environment, without pyspark: a user of rivulet alone has these.
RIVULET_ALONE = ("rivulet", "cloudpickle", "pyarrow", "numpy")


def python_without_pyspark(root):
    """An interpreter that sees this environment's rivulet, cloudpickle and pyarrow but no
    pyspark (the source modules then import rivulet's own pyspark.sql.datasource): a
    virtual environment whose one .pth names a folder of links to those packages."""
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    links = os.path.join(root, "packages")
    os.makedirs(links)
    for name in os.listdir(site):
        if name.split("-")[0].split(".")[0] in RIVULET_ALONE:
            os.symlink(os.path.join(site, name), os.path.join(links, name))
    venv = os.path.join(root, "venv")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    own_site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                               "['purelib'])"], capture_output=True, text=True,
                              check=True).stdout.strip()
    with open(os.path.join(own_site, "rivulet-alone.pth"), "w") as f:
        f.write(links + "\n")
    probe = subprocess.run([python, "-c", "import importlib.util as u; "
                            "print(u.find_spec('pyspark') is None)"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "True", "pyspark is still importable"
    return python


def run_child(engine, python=sys.executable):
    work = tempfile.mkdtemp(prefix="compare-%s-" % engine)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([HERE] + [p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p])
    env["PYSPARK_PYTHON"] = python
    try:
        done = subprocess.run([python, __file__, "--child", engine, "--work", work],
                              capture_output=True, text=True, env=env, timeout=15 * TIMEOUT)
        if done.returncode != 0:
            raise RuntimeError("%s child failed:\n%s" % (engine, done.stderr[-3000:]))
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


FIGURES = [
    # key, label, unit, "higher" is better?, goal (ratio Spark/rivulet or rivulet/Spark)
    ("start_s", "start to first commit", "s", False, 50),
    ("per_batch_ms", "per batch, one row", "ms", False, 20),
    ("tuples_rows_per_s", "rows/s, simple reader (tuples)", "rows/s", True, 2),
    ("arrow_rows_per_s", "rows/s, partitioned reader (Arrow)", "rows/s", True, 2),
    ("latency_p50_ms", "latency p50 at 10,000 rows/s", "ms", False, None),
    ("latency_p99_ms", "latency p99 at 10,000 rows/s", "ms", False, None),
    ("tree_rss_mib", "resident memory, process tree", "MiB", False, 20),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child")
    parser.add_argument("--work")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.work)))
        return
    alone_root = tempfile.mkdtemp(prefix="compare-alone-")
    try:
        alone = python_without_pyspark(alone_root)
        # rivulet: the same environment as Spark (the workers import the real pyspark);
        # alone: rivulet as its users install it, without pyspark.
        engines = {"rivulet": sys.executable, "alone": alone, "spark": sys.executable}
        runs = {engine: [] for engine in engines}
        for _ in range(args.repeats):
            for engine, python in engines.items():
                runs[engine].append(run_child("spark" if engine == "spark" else "rivulet",
                                              python))
                print("%s: %s" % (engine, json.dumps(runs[engine][-1])), flush=True)
    finally:
        shutil.rmtree(alone_root, ignore_errors=True)
    print("\nmedians of %d runs each, interleaved; 'alone' is rivulet without pyspark "
          "installed" % args.repeats)
    print("  %-38s %11s %11s %11s %7s %7s  %s" % ("figure", "rivulet", "alone", "Spark",
                                                  "ratio", "alone", "goal (alone)"))
    for key, label, unit, higher, goal in FIGURES:
        ours, by_itself, theirs = (statistics.median(r[key] for r in runs[engine])
                                   for engine in ("rivulet", "alone", "spark"))
        ratio, ratio_alone = ((x / theirs if higher else theirs / x) for x in (ours, by_itself))
        goal_text = "-" if goal is None else (">= %dx: %s" % (
            goal, "met" if ratio_alone >= goal else "missed"))
        print("  %-38s %11.4g %11.4g %11.4g %6.1fx %6.1fx  %s" % (
            label + " (" + unit + ")", ours, by_itself, theirs, ratio, ratio_alone,
            goal_text))


if __name__ == "__main__":
    main()
