"""Issue 12's figures for the Python path, each next to its floor in the same run, through
the installed `rivulet` command (the wheel: its workers use the compiled row encoder):

  1. tuples: rows/s of a Python simple reader of (long, string, double) tuples into noop,
     the whole run from spawn to exit (start-up included), next to the same interpreter
     building the same tuples in a plain loop, also spawn to exit. Goal: 0.8x or better.
     Also with RIVULET_PURE_PYTHON_ENCODER=1, the pure-Python encoder, for comparison.
  2. arrow: rows/s of a simple reader yielding a pre-built pyarrow RecordBatch, next to a
     process writing the same batches' IPC bytes through a pipe to a process that reads
     them, both spawn to exit. Goal: 0.7x or better.
  3. latency: rows made available at 10,000 rows/s (row i at start + i / 10000 s) in a
     Python simple reader, from that moment to the end of its batch's commit (the batch's
     progress line reaching this process), json sink and noop, durable log, default
     trigger; p50, p99, p99.9 next to the durable writes (temp file, fsync, rename,
     directory fsync) a batch makes, timed in the same run. Goal: p99 at most 5 ms.
  4. idle: CPU of the engine and its workers over 60 s of a query whose source never has
     data. Goal: under 1% of a core.

Everything runs in an interpreter that sees the environment's rivulet, cloudpickle and
pyarrow but not pyspark, as a user of rivulet alone has it (--with-pyspark: this one). The
machine is shared: runs of 1 and 2 alternate with their floors, and every run is printed.

Usage: build/venv/bin/pip install --no-build-isolation .
       build/venv/bin/python bench/python_path_bench.py [--runs 3] [--latency-seconds 10]
         [--idle-seconds 60] [--only tuples,arrow,latency,idle] [--with-pyspark]
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from spark_compare import python_without_pyspark  # noqa: E402
SOURCES = os.path.join(ROOT, "bench", "python_path_bench_sources.py")
ROWS_PER_BATCH = 100000
BATCHES = 20


def rivulet_command(args, source, checkpoint, sink="noop", options=(), flags=()):
    """The installed package's `rivulet run`, under the bench's interpreter."""
    command = [args.python, "-m", "rivulet._cli", "run", "--source",
               "%s:%s" % (SOURCES, source), "--python-path", os.path.join(ROOT, "bench"),
               "--sink", sink, "--checkpoint", checkpoint]
    for option in options:
        command += ["-o", option]
    return command + list(flags)


def timed(command, env=None, **kwargs):
    """Wall seconds from spawn to exit."""
    began = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - began


def floor_script(args, body):
    return [args.python, "-c", "import sys; sys.path.insert(0, %r)\n%s"
            % (os.path.join(ROOT, "bench"), body)]


TUPLES_FLOOR = """
from python_path_bench_rows import make_rows
for b in range(%d):
    rows = make_rows(b * %d, (b + 1) * %d)
""" % (BATCHES, ROWS_PER_BATCH, ROWS_PER_BATCH)

ARROW_WRITER = """
import os
import pyarrow as pa
from python_path_bench_rows import make_arrow_batch
batch = make_arrow_batch(%d)
sink = os.fdopen(1, "wb", buffering=0)
for _ in range(%d):
    sink.write(batch.serialize())
""" % (ROWS_PER_BATCH, BATCHES)
ARROW_READER = """
import os
source = os.fdopen(0, "rb", buffering=0)
buf = bytearray(1 << 20)
while source.readinto(buf):
    pass
"""


def throughput(args, scratch, source, floor, label, envs):
    """Alternates the rivulet runs (one per env) with the floor; prints every run."""
    rows = ROWS_PER_BATCH * BATCHES
    results = {name: [] for name in envs}
    floors = []
    for run in range(args.runs):
        floors.append(rows / floor())
        for name, env in envs.items():
            checkpoint = tempfile.mkdtemp(prefix="cp-", dir=scratch)
            command = rivulet_command(args, source, checkpoint,
                                      options=["rows_per_batch=%d" % ROWS_PER_BATCH],
                                      flags=["--max-batches", str(BATCHES)])
            results[name].append(rows / timed(command, env=env))
            shutil.rmtree(checkpoint)
        print("  run %d: floor %.3g rows/s; %s" % (run, floors[-1], ", ".join(
            "%s %.3g rows/s (%.2fx)" % (n, r[-1], r[-1] / floors[-1]) for n, r in results.items())),
            flush=True)
    floor_median = statistics.median(floors)
    for name, rates in results.items():
        ratios = [r / f for r, f in zip(rates, floors)]
        print("%s, %s: median %.3g rows/s, floor %.3g rows/s, ratio median %.2fx (runs %s)"
              % (label, name, statistics.median(rates), floor_median, statistics.median(ratios),
                 ", ".join("%.2f" % x for x in ratios)), flush=True)


def figure_tuples(args, scratch):
    compiled = dict(os.environ)
    compiled.pop("RIVULET_PURE_PYTHON_ENCODER", None)
    pure = dict(compiled, RIVULET_PURE_PYTHON_ENCODER="1")
    throughput(args, scratch, "TupleSource", lambda: timed(floor_script(args, TUPLES_FLOOR)),
               "tuples, %d x %d rows" % (BATCHES, ROWS_PER_BATCH),
               {"compiled encoder": compiled, "pure-Python encoder": pure})


def arrow_floor(args):
    began = time.perf_counter()
    reader = subprocess.Popen(floor_script(args, ARROW_READER), stdin=subprocess.PIPE)
    writer = subprocess.Popen(floor_script(args, ARROW_WRITER), stdout=reader.stdin)
    reader.stdin.close()
    writer.wait()
    reader.wait()
    return time.perf_counter() - began


def figure_arrow(args, scratch):
    throughput(args, scratch, "ArrowSource", lambda: arrow_floor(args),
               "pre-built RecordBatches, %d x %d rows" % (BATCHES, ROWS_PER_BATCH),
               {"rivulet": dict(os.environ)})


def durable_write(directory, name, data):
    tmp = os.path.join(directory, "." + name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data)
    os.fdatasync(fd)
    os.close(fd)
    os.rename(tmp, os.path.join(directory, name))
    dfd = os.open(directory, os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)


def write_floor(scratch, writes, samples=300):
    """Seconds of `writes` durable small-file writes in a row, one sample per batch."""
    directory = tempfile.mkdtemp(prefix="floor-", dir=scratch)
    times = []
    for i in range(samples):
        began = time.perf_counter()
        for w in range(writes):
            durable_write(directory, "%d-%d" % (i, w), b'{"batchId":%d}\n' % i)
        times.append(time.perf_counter() - began)
    shutil.rmtree(directory)
    return sorted(times)


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def run_latency(args, scratch, sink, rate=10000.0, warm_up=1.0):
    checkpoint = tempfile.mkdtemp(prefix="cp-", dir=scratch)
    began = time.time() + 0.5  # rows from when the query is up
    flags = ["--progress"]
    if sink == "json":
        flags += ["--sink-option", "path=" + checkpoint + "-out"]
    command = rivulet_command(args, "ClockSource", checkpoint, sink=sink,
                              options=["start=%r" % began, "rate=%r" % rate], flags=flags)
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    ends = []  # (arrival time, end offset)

    def collect():
        for line in process.stderr:
            arrived = time.time()
            try:
                progress = json.loads(line)
            except ValueError:
                continue
            if progress.get("numInputRows"):
                ends.append((arrived, json.loads(progress["sources"][0]["endOffset"])["n"]
                             if isinstance(progress["sources"][0]["endOffset"], str)
                             else progress["sources"][0]["endOffset"]["n"]))

    reader = threading.Thread(target=collect)
    reader.start()
    time.sleep(args.latency_seconds + 0.5)
    process.terminate()
    reader.join()
    process.wait()
    latencies, first = [], 0
    for arrived, end in ends:
        for i in range(first, end):
            available = began + i / rate
            if available >= began + warm_up:
                latencies.append(arrived - available)
        first = end
    shutil.rmtree(checkpoint, ignore_errors=True)
    shutil.rmtree(checkpoint + "-out", ignore_errors=True)
    return sorted(latencies), len(ends)


def figure_latency(args, scratch):
    for sink, writes in (("noop", 2), ("json", 4)):
        before = write_floor(scratch, writes)
        latencies, batches = run_latency(args, scratch, sink)
        after = write_floor(scratch, writes)
        floor = sorted(before + after)
        print("latency at 10,000 rows/s, %s sink: %d rows in %d batches: p50 %.2f ms, "
              "p99 %.2f ms, p99.9 %.2f ms; %d durable writes (the batch's): p50 %.2f ms, "
              "p99 %.2f ms" % (
                  sink, len(latencies), batches, percentile(latencies, 0.5) * 1e3,
                  percentile(latencies, 0.99) * 1e3, percentile(latencies, 0.999) * 1e3,
                  writes, percentile(floor, 0.5) * 1e3, percentile(floor, 0.99) * 1e3),
              flush=True)


def tree_cpu_seconds(pid):
    """User + system seconds of a process and its children (live ones, by /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:  # fields[1]: the parent
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def figure_idle(args, scratch):
    checkpoint = tempfile.mkdtemp(prefix="cp-", dir=scratch)
    process = subprocess.Popen(rivulet_command(args, "IdleSource", checkpoint),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(5)  # up, and backed off
    # The command's interpreter execs the binary, so the pid is the engine's.
    cpu0, t0 = tree_cpu_seconds(process.pid), time.time()
    time.sleep(args.idle_seconds)
    cpu1, t1 = tree_cpu_seconds(process.pid), time.time()
    process.terminate()
    process.wait()
    shutil.rmtree(checkpoint, ignore_errors=True)
    print("idle Python query: %.3f CPU s over %.0f s = %.2f%% of a core"
          % (cpu1 - cpu0, t1 - t0, 100 * (cpu1 - cpu0) / (t1 - t0)), flush=True)


FIGURES = {"tuples": figure_tuples, "arrow": figure_arrow, "latency": figure_latency,
           "idle": figure_idle}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--with-pyspark", action="store_true",
                        help="run in this interpreter, pyspark and all, rather than in one "
                             "that sees rivulet, cloudpickle and pyarrow alone")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--only", default=",".join(FIGURES))
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="rivulet-path-bench-", dir=os.path.join(ROOT, "build"))
    try:
        # As a user of rivulet alone has it: the sources import rivulet's pyspark modules.
        args.python = (sys.executable if args.with_pyspark
                       else python_without_pyspark(os.path.join(scratch, "alone")))
        for name in args.only.split(","):
            FIGURES[name](args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
