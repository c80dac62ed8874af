"""1,000 native queries in one `rivulet serve`, next to the same query alone, in one run.

Each query is rate-micro-batch (one row a batch) under a 5 s processing-time trigger into
noop, with its own durable checkpoint. The script runs `rivulet serve` three times: with
one query, with N, and with one again (so a change in the machine's load during the run
shows as a difference between the two lone runs), samples the process while it runs, and
prints:

  - resident memory per query: (RSS with N queries - RSS with one) / (N - 1);
  - threads of the process with N queries;
  - batch time (StreamingQueryProgress.batchDuration) of the first query among N, and of
    all N, next to the lone query's.

    python3 bench/serve_bench.py [--binary build/release/rivulet] [--queries 1000]
                                 [--seconds 40] [--dir DIR]
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def status_field(pid, name):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def run_serve(binary, work, queries, seconds, interval):
    config = {"queries": []}
    for i in range(queries):
        config["queries"].append(
            {
                "name": "q%d" % i,
                "source": "rate-micro-batch",
                "options": {"rowsPerBatch": 1},
                "sink": "noop",
                "checkpoint": os.path.join(work, "cp", "q%d" % i),
                "trigger": "processing-time=%s" % interval,
            }
        )
    path = os.path.join(work, "queries-%d.json" % queries)
    with open(path, "w") as f:
        json.dump(config, f)
    proc = subprocess.Popen(
        [binary, "serve", "--progress", path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    durations = {}
    started = threading.Event()

    def read_progress():
        for line in proc.stderr:
            if line.startswith("rivulet: serving"):
                started.set()
            if not line.startswith("{"):
                continue
            p = json.loads(line)
            durations.setdefault(p["name"], []).append(p["batchDuration"])

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    started.wait(timeout=600)
    start = time.time()
    rss, threads = [], []
    while time.time() - start < seconds:
        time.sleep(1)
        rss.append(status_field(proc.pid, "VmRSS"))
        threads.append(status_field(proc.pid, "Threads"))
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    reader.join(timeout=10)
    shutil.rmtree(os.path.join(work, "cp"), ignore_errors=True)
    # Memory once every query has run a few batches: the last third of the samples.
    tail = rss[len(rss) * 2 // 3 :]
    return {
        "rss_kb": statistics.median(tail),
        "threads": max(threads),
        "durations": durations,
    }


def describe(values):
    return "median %.1f ms, mean %.2f ms over %d batches" % (
        statistics.median(values),
        statistics.mean(values),
        len(values),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default="build/release/rivulet")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--interval", default="5s")
    parser.add_argument("--dir", help="where checkpoints go (default: a temporary directory)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="rivulet-serve-bench-", dir=args.dir)
    try:
        lone = run_serve(args.binary, work, 1, args.seconds / 2, args.interval)
        many = run_serve(args.binary, work, args.queries, args.seconds, args.interval)
        lone_after = run_serve(args.binary, work, 1, args.seconds / 2, args.interval)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cores = os.cpu_count()
    per_query = (many["rss_kb"] - lone["rss_kb"]) / (args.queries - 1)
    lone_d = lone["durations"].get("q0", []) + lone_after["durations"].get("q0", [])
    first_d = many["durations"].get("q0", [])
    all_d = [d for ds in many["durations"].values() for d in ds]
    print("rivulet serve, %d queries (rate-micro-batch, processing-time=%s, noop)"
          % (args.queries, args.interval))
    print("  RSS alone                    : %8.0f KB" % lone["rss_kb"])
    print("  RSS with %d queries        : %8.0f KB" % (args.queries, many["rss_kb"]))
    print("  resident memory per query    : %8.1f KB   (goal <= 150 KB)" % per_query)
    print("  threads with %d queries    : %8d      (goal <= %d = 2 x %d cores + 8)"
          % (args.queries, many["threads"], 2 * cores + 8, cores))
    print("  batch time, query alone      : %s (before: %s; after: %s)"
          % (describe(lone_d), describe(lone["durations"].get("q0", [])),
             describe(lone_after["durations"].get("q0", []))))
    print("  batch time, q0 among %d    : %s" % (args.queries, describe(first_d)))
    print("  batch time, all %d queries : %s" % (args.queries, describe(all_d)))
    print("  ratio (q0 among all / alone) : median %.2fx, mean %.2fx   (goal <= 1.5x)"
          % (statistics.median(first_d) / max(statistics.median(lone_d), 1e-9),
             statistics.mean(first_d) / max(statistics.mean(lone_d), 1e-9)))


if __name__ == "__main__":
    sys.exit(main())
