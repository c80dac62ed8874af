"""rivulet's SparkSession next to PySpark 4.3's, and next to `rivulet run`, in one run.

Run it with an interpreter that has rivulet (`pip install .`) and pyspark==4.3.0 installed,
e.g. the test environment's:

    build/venv/bin/python bench/session_bench.py [--repeats 3] [--rows-per-batch 1000000]
                                                 [--batches 20] [--rivulet-python PYTHON]

rivulet runs as its users install it: in an environment of its own without pyspark
(--rivulet-python; by default build/bench/venv, made from this checkout's wheel on first
use), where its stand-in modules serve `pyspark.sql.datasource`. It also runs in this
interpreter's environment, where the script and the workers import the real pyspark (0.3 s
and 30 MB per process on this machine), for comparison.

Three figures, each engine's runs interleaved so that both see the same machine load:

  - start-up: from getOrCreate() to the first foreachBatch call, the same script
    (bench/session_bench_query.py) on each engine;
  - memory: resident size of that script's process while its query runs, next to a bare
    `python -c "import rivulet"`; and of its whole process tree (rivulet: the Python
    workers; PySpark: the JVM and its Python workers), as RSS and as PSS (which counts a
    page shared by several processes once);
  - throughput: rows/s of rate-micro-batch into foreachBatch calling toArrow() on each
    batch, next to the same rows through `rivulet run` into noop. Both rates are Spark's
    processedRowsPerSecond over the run: rows / triggerExecution time of batches 1..N
    (batch 0 warms up).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QUERY = os.path.join(HERE, "session_bench_query.py")


def children_map():
    """ppid -> [pid] for every live process."""
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree(pid):
    kids, found, todo = children_map(), [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(kids.get(p, []))
    return found


def kib(pid, path, field):
    try:
        with open("/proc/%d/%s" % (pid, path)) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def mib(k):
    return k / 1024.0


def memory_of(pid):
    pids = tree(pid)
    return {
        "main_rss": mib(kib(pid, "status", "VmRSS")),
        "tree_rss": mib(sum(kib(p, "status", "VmRSS") for p in pids)),
        "tree_pss": mib(sum(kib(p, "smaps_rollup", "Pss") for p in pids)),
        "processes": len(pids),
    }


def rivulet_environment(root):
    """build/bench/venv: rivulet's wheel built from this checkout, pyarrow for toArrow(),
    no pyspark. Made once; `rm -rf build/bench` to rebuild it."""
    venv = os.path.join(root, "build", "bench", "venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        wheels = os.path.join(root, "build", "bench", "wheels")
        subprocess.check_call([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                               "--no-build-isolation", "-w", wheels, root])
        subprocess.check_call([sys.executable, "-m", "venv", "--clear", venv])
        wheel = [w for w in os.listdir(wheels) if w.startswith("rivulet-")][0]
        subprocess.check_call([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                               os.path.join(wheels, wheel), "pyarrow==26.0.1"])
    return python


def child_env():
    env = dict(os.environ)
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    env.pop("PYTHONPATH", None)
    return env


def run_startup(python, engine):
    proc = subprocess.Popen(
        [python, QUERY, engine, "startup"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=child_env(),
        cwd=tempfile.gettempdir(),
    )
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        raise SystemExit("%s start-up run failed (exit %s)" % (engine, proc.returncode))
    result = json.loads(line)
    time.sleep(2.0)  # a few more batches, so that the memory is the running query's
    result.update(memory_of(proc.pid))
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(timeout=120)
    return result


def bare_import_rss(python):
    out = subprocess.check_output(
        [
            python,
            "-c",
            "import rivulet\n"
            "for l in open('/proc/self/status'):\n"
            "    l.startswith('VmRSS:') and print(l.split()[1])",
        ],
        env=child_env(),
        text=True,
    )
    return mib(int(out))


def rate(progress_lines):
    batches = [json.loads(l) for l in progress_lines if l.startswith("{")]
    timed = [b for b in batches if b["batchId"] >= 1 and b["numInputRows"] > 0]
    rows = sum(b["numInputRows"] for b in timed)
    ms = sum(b["durationMs"]["triggerExecution"] for b in timed)
    return rows / (ms / 1000.0), len(timed)


def run_session_throughput(python, rows_per_batch, batches):
    out = subprocess.check_output(
        [python, QUERY, "rivulet", "throughput", str(rows_per_batch), str(batches)],
        env=child_env(),
        text=True,
    )
    return rate(out.splitlines())


def run_cli_throughput(binary, rows_per_batch, batches):
    work = tempfile.mkdtemp(prefix="rivulet-bench-")
    try:
        done = subprocess.run(
            [
                binary,
                "run",
                "--source",
                "rate-micro-batch",
                "-o",
                "rowsPerBatch=%d" % rows_per_batch,
                "--sink",
                "noop",
                "--checkpoint",
                os.path.join(work, "cp"),
                "--max-batches",
                str(batches),
                "--progress",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
        return rate(done.stderr.splitlines())
    finally:
        shutil.rmtree(work, ignore_errors=True)


# (label, engine the script imports, which interpreter runs it)
def configurations(alone, here):
    return [
        ("rivulet", "rivulet", alone),
        ("rivulet+pyspark", "rivulet", here),
        ("pyspark", "pyspark", here),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows-per-batch", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--rivulet-python", help="an interpreter with rivulet, without pyspark")
    args = parser.parse_args()

    alone = args.rivulet_python or rivulet_environment(os.path.dirname(HERE))
    binary = subprocess.check_output(
        [alone, "-c", "import os, rivulet._engine as e; "
                      "print(os.path.join(os.path.dirname(e.__file__), '_bin', 'rivulet'))"],
        text=True).strip()
    version = subprocess.check_output([binary, "--version"], text=True).strip()
    print("%s (%s), python %s" % (version, alone, sys.version.split()[0]))

    configs = configurations(alone, sys.executable)
    runs = {label: [] for label, _, _ in configs}
    for _ in range(args.repeats):
        for label, engine, python in configs:
            runs[label].append(run_startup(python, engine))
    bare = statistics.median(bare_import_rss(alone) for _ in range(args.repeats))

    def med(label, key):
        return statistics.median(r[key] for r in runs[label])

    print("\nstart-up: getOrCreate() -> first foreachBatch call (median of %d)" % args.repeats)
    for label, _, _ in configs:
        print(
            "  %-16s %8.3f s   (getOrCreate %.3f s; before it, import %.3f s)"
            % (label, med(label, "get_or_create_to_first_batch_s"),
               med(label, "get_or_create_s"), med(label, "import_s"))
        )
    first = "get_or_create_to_first_batch_s"
    print("  pyspark / rivulet: %.0fx (rivulet+pyspark: %.0fx)   (goal >= 50x)"
          % (med("pyspark", first) / med("rivulet", first),
             med("pyspark", first) / med("rivulet+pyspark", first)))

    print("\nmemory while one query runs, MiB (median of %d)" % args.repeats)
    print("  bare `python -c 'import rivulet'`  %7.1f" % bare)
    for label, _, _ in configs:
        print(
            "  %-16s script process %7.1f   tree (%d processes) RSS %7.1f  PSS %7.1f"
            % (label, med(label, "main_rss"), round(med(label, "processes")),
               med(label, "tree_rss"), med(label, "tree_pss"))
        )
    print("  rivulet adds %.1f MiB to the script's process   (goal < 20 MB)"
          % (med("rivulet", "main_rss") - bare))
    print(
        "  PySpark / rivulet: %.0fx (tree RSS), %.0fx (tree PSS)   (goal >= 20x)"
        % (med("pyspark", "tree_rss") / med("rivulet", "tree_rss"),
           med("pyspark", "tree_pss") / med("rivulet", "tree_pss"))
    )

    print(
        "\nthroughput: rate-micro-batch, %d rows a batch, %d batches"
        % (args.rows_per_batch, args.batches)
    )
    session, cli = [], []
    for _ in range(args.repeats):
        session.append(run_session_throughput(alone, args.rows_per_batch, args.batches)[0])
        cli.append(run_cli_throughput(binary, args.rows_per_batch, args.batches)[0])
    print("  foreachBatch + toArrow() (session)  %10.3g rows/s" % statistics.median(session))
    print("  rivulet run -> noop                 %10.3g rows/s" % statistics.median(cli))
    ratios = [a / b for a, b in zip(session, cli)]
    print(
        "  ratio (median of runs %s)   %.2fx   (goal >= 0.8x)"
        % (", ".join("%.2f" % r for r in ratios), statistics.median(ratios))
    )


if __name__ == "__main__":
    main()
