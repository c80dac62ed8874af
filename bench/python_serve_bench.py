"""100 Python queries in one `rivulet serve`: proportional set size (PSS) per query of the
engine and all its workers.

Each query is a small Python simple reader (TupleSource from python_source_bench_sources.py,
10 rows a read) under a 1 s processing-time trigger into noop. Workers fork from the
engine's template process and share its pages, which PSS divides fairly among the
processes that share them (/proc/PID/smaps_rollup). The script waits until every query has
committed batches, then sums the PSS of the engine, its template and its workers.

    python3 bench/python_serve_bench.py [--binary build/release/rivulet] [--queries 100]
                                        [--python /usr/bin/python3]
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default="build/release/rivulet")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="rivulet-python-serve-bench-")
    source = os.path.join(HERE, "python_source_bench_sources.py") + ":TupleSource"
    config = {
        "queries": [
            {
                "name": "q%d" % i,
                "source": source,
                "options": {"rows_per_batch": 10, "total": 10**9},
                "sink": "noop",
                "checkpoint": os.path.join(work, "q%d" % i),
                "trigger": "processing-time=1s",
                "python": args.python,
            }
            for i in range(args.queries)
        ]
    }
    path = os.path.join(work, "queries.json")
    with open(path, "w") as f:
        json.dump(config, f)
    proc = subprocess.Popen(
        [args.binary, "serve", "--progress", path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed = set()

    def read_progress():
        for line in proc.stderr:
            if line.startswith("{"):
                committed.add(json.loads(line)["name"])
            elif line.strip():
                sys.stderr.write(line)

    threading.Thread(target=read_progress, daemon=True).start()
    try:
        deadline = time.time() + 600
        while len(committed) < args.queries and time.time() < deadline:
            time.sleep(0.5)
        time.sleep(args.seconds)  # steady state: several batches each
        kids = children(proc.pid)
        engine = pss_kb(proc.pid)
        workers = sum(pss_kb(k) for k in kids)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        shutil.rmtree(work, ignore_errors=True)
    total = engine + workers
    print("rivulet serve, %d Python queries (simple reader, processing-time=1s, noop), %s"
          % (args.queries, args.python))
    print("  queries that committed batches : %d" % len(committed))
    print("  processes (template + workers)  : %d" % len(kids))
    print("  PSS engine                      : %8.1f MB" % (engine / 1024))
    print("  PSS template and workers        : %8.1f MB" % (workers / 1024))
    print("  PSS per query                   : %8.2f MB   (goal <= 4 MB)"
          % (total / 1024 / args.queries))


if __name__ == "__main__":
    sys.exit(main())
