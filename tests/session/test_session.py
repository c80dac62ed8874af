"""rivulet's SparkSession as a PySpark user drives it: the seed's example, sources defined
anywhere, the memory sink, triggers, foreachBatch, listeners, stopping and failing."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from conftest import HERE
from streaming_sources import CounterSource, FailingSource, TargetSource

TIMEOUT = 60


def test_the_seed_example_runs_with_the_console_sink(spark, capfd):
    from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

    data = [(i, "event %d" % i) for i in range(5)]

    def fetch_data_since(position):
        return data[position : position + 2]

    def fetch_data_between(start, end):
        return iter(data[start:end])

    class MyStreamReader(SimpleDataSourceStreamReader):
        def initialOffset(self):
            return {"position": 0}

        def read(self, start):
            rows = fetch_data_since(start["position"])
            new_offset = {"position": start["position"] + len(rows)}
            return (iter(rows), new_offset)

        def readBetweenOffsets(self, start, end):
            return fetch_data_between(start["position"], end["position"])

    class MyDataSource(DataSource):
        @classmethod
        def name(cls):
            return "my_source"

        def schema(self):
            return "id INT, event STRING"

        def simpleStreamReader(self, schema):
            return MyStreamReader()

    spark.dataSource.register(MyDataSource)
    df = spark.readStream.format("my_source").load()
    query = df.writeStream.format("console").start()
    while len(query.recentProgress) < 3:
        time.sleep(0.05)
    query.stop()
    out = capfd.readouterr().out
    assert "Batch: 0\n-------------------------------------------\n+---+-------+\n| id|  event|" in out
    assert "|  4|event 4|" in out
    assert [p["numInputRows"] for p in query.recentProgress[:3]] == [2, 2, 1]


def test_a_source_class_defined_in_the_test_runs_in_the_workers(spark):
    from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

    class Squares(SimpleDataSourceStreamReader):
        def initialOffset(self):
            return {"n": 0}

        def read(self, start):
            n = start["n"]
            return iter([(i * i,) for i in range(n, n + 4)]), {"n": n + 4}

        def readBetweenOffsets(self, start, end):
            return iter([(i * i,) for i in range(start["n"], end["n"])])

    class SquaresSource(DataSource):
        def schema(self):
            return "square LONG"

        def simpleStreamReader(self, schema):
            return Squares()

    spark.dataSource.register(SquaresSource)
    q = (spark.readStream.format("SquaresSource").load().writeStream.format("memory")
         .queryName("squares").trigger(once=True).start())
    assert q.awaitTermination(TIMEOUT) is True
    assert [r.square for r in spark.table("squares").collect()] == [0, 1, 4, 9]


def test_the_memory_sink_keeps_rows_in_the_session(spark):
    spark.dataSource.register(CounterSource)
    q = (spark.readStream.format("counter").option("limit", 7).load().writeStream
         .format("memory").queryName("counted").start())
    q.processAllAvailable()
    rows = spark.table("counted").collect()
    q.stop()
    assert [r.id for r in rows] == list(range(7))
    assert rows[0].asDict() == {"id": 0, "text": "row 0"}
    assert spark.table("counted").count() == 7
    from rivulet.errors import AnalysisException

    with pytest.raises(AnalysisException, match="TABLE_OR_VIEW_NOT_FOUND"):
        spark.table("nothing_here")


def test_available_now_stops_by_itself_and_once_runs_one_batch(spark):
    spark.dataSource.register(TargetSource)
    df = spark.readStream.format("target").option("target", 6).load()
    ids = []
    q = df.writeStream.foreachBatch(lambda d, i: ids.append(i)).trigger(availableNow=True).start()
    assert q.awaitTermination(TIMEOUT) is True
    assert ids == [0, 1, 2] and not q.isActive
    once = df.writeStream.format("noop").trigger(once=True).start()
    once.awaitTermination(TIMEOUT)
    assert [p["numInputRows"] for p in once.recentProgress] == [6]


def test_processing_time_paces_the_batches(spark):
    spark.dataSource.register(CounterSource)
    starts = []
    q = (spark.readStream.format("counter").option("limit", 1000).load().writeStream
         .foreachBatch(lambda d, i: starts.append(time.monotonic()))
         .trigger(processingTime="300 milliseconds").start())
    while len(starts) < 4:
        time.sleep(0.02)
    q.stop()
    gaps = [b - a for a, b in zip(starts, starts[1:4])]
    assert all(gap >= 0.25 for gap in gaps), gaps


def test_foreach_batch_gets_batch_ids_in_order_and_a_batch_dataframe(spark):
    spark.dataSource.register(CounterSource)
    seen = []

    def record(df, batch_id):
        seen.append((batch_id, df.count(), df.columns, [tuple(r) for r in df.collect()]))

    q = spark.readStream.format("counter").load().writeStream.foreachBatch(record).start()
    q.processAllAvailable()
    q.stop()
    assert [s[0] for s in seen] == [0, 1, 2]
    assert [s[1] for s in seen] == [3, 3, 3]
    assert seen[0][2] == ["id", "text"]
    assert seen[2][3] == [(6, "row 6"), (7, "row 7"), (8, "row 8")]


def test_a_failing_foreach_batch_fails_the_query_and_a_restart_reruns_the_batch(spark, tmp_path):
    spark.dataSource.register(CounterSource)
    calls = []

    def flaky(df, batch_id):
        calls.append(batch_id)
        if batch_id == 1 and calls.count(1) == 1:
            raise KeyError("lost a key")

    def start():
        return (spark.readStream.format("counter").load().writeStream.foreachBatch(flaky)
                .option("checkpointLocation", str(tmp_path)).start())

    q = start()
    from rivulet.errors import StreamingQueryException

    with pytest.raises(StreamingQueryException) as raised:
        q.awaitTermination(TIMEOUT)
    assert "KeyError: 'lost a key'" in str(raised.value)
    assert isinstance(raised.value.__cause__, KeyError)
    assert isinstance(q.exception(), StreamingQueryException)
    again = start()
    again.processAllAvailable()
    again.stop()
    assert calls == [0, 1, 1, 2]


def test_listener_events_arrive_in_order(spark):
    from pyspark.sql.streaming import StreamingQueryListener

    events = []

    class Recorder(StreamingQueryListener):
        def onQueryStarted(self, e):
            events.append(("started", str(e.id)))

        def onQueryProgress(self, e):
            events.append(("progress", e.progress.batchId))

        def onQueryIdle(self, e):
            pass

        def onQueryTerminated(self, e):
            events.append(("terminated", str(e.id)))

    listener = Recorder()
    spark.streams.addListener(listener)
    spark.dataSource.register(TargetSource)
    q = (spark.readStream.format("target").option("target", 6).load().writeStream
         .format("noop").trigger(availableNow=True).start())
    q.awaitTermination(TIMEOUT)
    deadline = time.monotonic() + TIMEOUT
    while events[-1][0] != "terminated" and time.monotonic() < deadline:
        time.sleep(0.02)
    spark.streams.removeListener(listener)
    assert events == [("started", q.id), ("progress", 0), ("progress", 1), ("progress", 2),
                      ("terminated", q.id)]


def test_stop_from_another_thread_ends_await_termination(spark):
    spark.dataSource.register(CounterSource)
    q = (spark.readStream.format("counter").option("limit", 10**9).load().writeStream
         .format("noop").trigger(processingTime="50 milliseconds").start())
    assert spark.streams.active == [q] and spark.streams.get(q.id) is q
    threading.Timer(0.3, q.stop).start()
    assert q.awaitTermination() is None
    assert not q.isActive and q.exception() is None
    assert q.status["message"] == "Stopped"
    assert spark.streams.active == [] and spark.streams.get(q.id) is None


def test_a_failing_source_shows_its_traceback(spark):
    spark.dataSource.register(FailingSource)
    q = spark.readStream.format("failing").load().writeStream.format("noop").start()
    from rivulet.errors import StreamingQueryException

    with pytest.raises(StreamingQueryException) as raised:
        q.awaitTermination(TIMEOUT)
    text = str(raised.value)
    assert "[PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR]" in text
    assert "streaming_sources.py" in text and "ValueError: the source broke on purpose" in text
    assert str(q.exception()) == text
    with pytest.raises(StreamingQueryException):
        spark.streams.awaitAnyTermination(TIMEOUT)
    spark.streams.resetTerminated()
    assert spark.streams.awaitAnyTermination(0.1) is False


def test_transformations_on_a_streaming_dataframe_point_at_foreach_batch(spark):
    df = spark.readStream.format("rate").load()
    assert df.isStreaming and df.columns == ["timestamp", "value"]
    for method in ("select", "filter", "withColumn", "groupBy"):
        with pytest.raises(NotImplementedError, match=method + ".*foreachBatch"):
            getattr(df, method)


def test_session_settings_and_lifecycle():
    from rivulet import SparkSession

    spark = (SparkSession.builder.appName("lifecycle").master("local[1]")
             .config("spark.some.key", 5).getOrCreate())
    try:
        assert SparkSession.builder.getOrCreate() is spark
        assert spark.version == "4.3.0"
        assert spark.conf.get("spark.app.name") == "lifecycle"
        assert spark.conf.get("spark.some.key") == "5"
        spark.conf.set("spark.sql.streaming.checkpointLocation", "/nowhere")
        assert spark.conf.get("spark.sql.streaming.checkpointLocation") == "/nowhere"
        assert spark.conf.get("missing", "fallback") == "fallback"
    finally:
        spark.stop()
    assert SparkSession.getActiveSession() is None
    assert SparkSession.builder.getOrCreate() is not spark
    SparkSession.builder.getOrCreate().stop()


def test_progress_and_status_have_sparks_shape(spark):
    spark.dataSource.register(CounterSource)
    q = (spark.readStream.format("counter").load().writeStream.format("noop")
         .queryName("shaped").trigger(availableNow=True).start())
    q.awaitTermination(TIMEOUT)
    progress = q.lastProgress
    assert progress.name == "shaped" and progress["batchId"] == 0
    assert set(progress.durationMs) >= {"addBatch", "triggerExecution", "walCommit"}
    assert progress.sources[0].endOffset == '{"next":3}' or json.loads(
        progress.sources[0].endOffset) == {"next": 3}
    assert json.loads(progress.json)["id"] == q.id
    assert json.loads(progress.prettyJson)["numInputRows"] == 3
    assert q.status == {"message": "Stopped", "isDataAvailable": False, "isTriggerActive": False}


def test_batch_reads_list_only_committed_files(spark, tmp_path):
    spark.dataSource.register(CounterSource)
    for fmt in ("json", "arrow"):
        out = str(tmp_path / fmt)
        q = (spark.readStream.format("counter").load().writeStream.format(fmt)
             .option("checkpointLocation", str(tmp_path / ("cp-" + fmt))).start(out))
        q.processAllAvailable()
        q.stop()
        # A leftover of a crashed batch is not listed in the log.
        with open(os.path.join(out, "part-99." + fmt), "w") as f:
            f.write("garbage")
        rows = spark.read.format(fmt).load(out).collect()
        assert sorted(r.id for r in rows) == list(range(9)), fmt


def test_batch_dataframe_writes_files(spark, tmp_path):
    import pandas as pd

    spark.dataSource.register(CounterSource)
    written = []

    def save(df, batch_id):
        for fmt in ("json", "csv", "parquet"):
            path = str(tmp_path / ("%s-%d" % (fmt, batch_id)))
            df.write.format(fmt).mode("overwrite").option("header", True).save(path)
            written.append((fmt, path))

    q = (spark.readStream.format("counter").option("limit", 3).load().writeStream
         .foreachBatch(save).trigger(availableNow=True).start())
    q.awaitTermination(TIMEOUT)
    readers = {"json": lambda p: pd.read_json(p, lines=True), "csv": pd.read_csv,
               "parquet": pd.read_parquet}
    for fmt, path in written:
        part = [f for f in os.listdir(path) if f.startswith("part-")][0]
        frame = readers[fmt](os.path.join(path, part))
        assert list(frame["id"]) == [0, 1, 2], fmt


def run_script(body, *args, wait=True):
    script = textwrap.dedent(body)
    env = dict(os.environ)
    env["PYTHONPATH"] = HERE
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    return proc


WAITING_SCRIPT = """
    import os, sys, time
    from rivulet import SparkSession
    from conftest import rivulet_processes
    from streaming_sources import CounterSource
    spark = SparkSession.builder.getOrCreate()
    spark.dataSource.register(CounterSource)
    q = (spark.readStream.format("counter").option("limit", 10**9).load().writeStream
         .format("noop").option("checkpointLocation", sys.argv[1])
         .trigger(processingTime="20 milliseconds").start())
    while not q.recentProgress:
        time.sleep(0.01)
    print(" ".join(str(pid) for pid, _ in rivulet_processes()), flush=True)
    {action}
"""


def gone(pids, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(os.path.exists("/proc/%d" % p) and open("/proc/%d/stat" % p).read().split()[2]
                   != "Z" for p in pids):
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_in_await_termination_stops_between_batches(tmp_path):
    proc = run_script(WAITING_SCRIPT.replace("{action}", "q.awaitTermination()"), str(tmp_path))
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert pids, "the query runs Python workers"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert "KeyboardInterrupt" in err
    assert gone(pids)
    commits = sorted(int(n) for n in os.listdir(tmp_path / "commits") if n.isdigit())
    offsets = sorted(int(n) for n in os.listdir(tmp_path / "offsets") if n.isdigit())
    assert commits == offsets, "the query stopped between batches"


def test_interpreter_exit_stops_running_queries(tmp_path):
    proc = run_script(WAITING_SCRIPT.replace("{action}", "sys.exit(0)"), str(tmp_path))
    pids = [int(p) for p in proc.stdout.readline().split()]
    proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0
    assert gone(pids)


def test_explain_describes_the_plan(spark, capsys):
    spark.dataSource.register(CounterSource)
    q = spark.readStream.format("counter").load().writeStream.format("noop").start()
    q.explain()
    q.stop()
    plan = capsys.readouterr().out
    assert plan.startswith("== Physical Plan ==") and "counter" in plan


def test_session_confs_time_an_idle_query(spark):
    from pyspark.sql.streaming import StreamingQueryListener

    idle = []

    class Idle(StreamingQueryListener):
        def onQueryStarted(self, e):
            pass

        def onQueryProgress(self, e):
            pass

        def onQueryIdle(self, e):
            idle.append(time.monotonic())

        def onQueryTerminated(self, e):
            pass

    listener = Idle()
    spark.streams.addListener(listener)
    spark.dataSource.register(CounterSource)
    spark.conf.set("spark.sql.streaming.noDataProgressEventInterval", "100ms")
    spark.conf.set("spark.sql.streaming.pollingDelay", "5")  # milliseconds, as in Spark
    spark.conf.set("rivulet.sql.streaming.maxPollingDelay", "20ms")
    try:
        q = (spark.readStream.format("counter").option("limit", 0).load().writeStream
             .format("noop").start())
        time.sleep(1.2)
        q.stop()
        # Spark's default interval, 10 s, would give none in that time.
        assert len(idle) >= 4, idle
        spark.conf.set("spark.sql.streaming.pollingDelay", "soon")
        with pytest.raises(ValueError, match="INVALID_CONF_VALUE.*pollingDelay"):
            spark.readStream.format("counter").load().writeStream.format("noop").start()
    finally:
        spark.streams.removeListener(listener)
        for key in ("spark.sql.streaming.noDataProgressEventInterval",
                    "spark.sql.streaming.pollingDelay", "rivulet.sql.streaming.maxPollingDelay"):
            spark.conf.unset(key)
