"""The same streaming scripts on Apache Spark (PySpark 4.3) and on rivulet: what users see
must be the same. Each scenario takes a session and returns what a user observes."""

import contextlib
import io
import json
import os
import re
import threading

import pytest

from streaming_sources import CounterSource, FailingSource, TargetSource, TrickyTextSource

TIMEOUT = 120
UUID = r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"


def both(pyspark_session, scenario, tmp_path, *args):
    """(rivulet's observation, Spark's). Each engine gets a directory of its own; rivulet's
    session is made and stopped here."""
    from rivulet import SparkSession

    ours = SparkSession.builder.getOrCreate()
    try:
        mine = scenario(ours, str(tmp_path / "rivulet"), *args)
    finally:
        ours.stop()
    return mine, scenario(pyspark_session, str(tmp_path / "spark"), *args)


def record_events(spark):
    events = []
    lock = threading.Lock()

    from pyspark.sql.streaming import StreamingQueryListener

    class Recorder(StreamingQueryListener):
        def onQueryStarted(self, event):
            with lock:
                events.append(("started", str(event.id) != "", event.name))

        def onQueryProgress(self, event):
            with lock:
                events.append(("progress", event.progress.batchId, event.progress.numInputRows))

        def onQueryIdle(self, event):
            pass  # timing-dependent on both engines

        def onQueryTerminated(self, event):
            with lock:
                events.append(("terminated", event.exception is None,
                               event.errorClassOnException))

    listener = Recorder()
    spark.streams.addListener(listener)
    return listener, events


def wait_for(condition, timeout=30):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def memory_available_now(spark, tmp):
    spark.dataSource.register(CounterSource)
    name = "counter_rows_%d" % os.getpid()
    listener, events = record_events(spark)
    q = (spark.readStream.format("counter").option("limit", 9).load()
         .writeStream.format("memory").queryName(name).trigger(availableNow=True).start())
    q.awaitTermination(TIMEOUT)
    wait_for(lambda: events and events[-1][0] == "terminated")
    spark.streams.removeListener(listener)
    progress = q.recentProgress
    return {
        "rows": sorted(tuple(r) for r in spark.table(name).collect()),
        "rows_per_batch": [p["numInputRows"] for p in progress],
        "batch_ids": [p["batchId"] for p in progress],
        "progress_keys": list(q.lastProgress.keys()),
        "source_keys": sorted(q.lastProgress["sources"][0].keys()),
        "sink": dict(q.lastProgress["sink"]),
        "status": q.status,
        "active": q.isActive,
        "name": q.name,
        "events": events,
    }


def admission_control(spark, tmp, trigger):
    spark.dataSource.register(TargetSource)
    batches = []

    def collect(df, batch_id):
        batches.append((batch_id, sorted(tuple(r) for r in df.collect())))

    writer = spark.readStream.format("target").option("target", 7).load().writeStream
    writer = writer.foreachBatch(collect).trigger(**trigger)
    q = writer.start()
    if trigger.get("processingTime"):
        wait_for(lambda: len(batches) >= 4)
        q.stop()
    else:
        q.awaitTermination(TIMEOUT)
    return {"batches": batches[:4], "sink": q.lastProgress["sink"]["description"]}


def failing_source(spark, tmp):
    spark.dataSource.register(FailingSource)
    listener, events = record_events(spark)
    q = spark.readStream.format("failing").load().writeStream.format("console").start()
    with pytest.raises(Exception) as raised:
        q.awaitTermination(TIMEOUT)
    wait_for(lambda: events and events[-1][0] == "terminated")
    spark.streams.removeListener(listener)
    error = raised.value
    return {
        "type": type(error).__name__,
        "stream_failed": str(error).startswith("[STREAM_FAILED] Query [id = %s, runId = %s]"
                                              % (q.id, q.runId)),
        "has_traceback": "Traceback (most recent call last)" in str(error),
        "has_message": "ValueError: the source broke on purpose" in str(error),
        "exception_type": type(q.exception()).__name__,
        "events": events,
    }


def failing_foreach_batch(spark, tmp):
    checkpoint = os.path.join(tmp, "checkpoint")
    spark.dataSource.register(CounterSource)
    seen = []

    def fail_on_first(df, batch_id):
        seen.append((batch_id, df.count()))
        if len(seen) == 1:
            raise RuntimeError("foreachBatch broke on purpose")

    def start():
        return (spark.readStream.format("counter").load().writeStream
                .foreachBatch(fail_on_first).option("checkpointLocation", checkpoint)
                .trigger(availableNow=True).start())

    q = start()
    with pytest.raises(Exception) as raised:
        q.awaitTermination(TIMEOUT)
    error = str(raised.value)
    # The failed batch was not committed: a restart runs the same batch id again.
    again = start()
    again.awaitTermination(TIMEOUT)
    return {
        "seen": seen,
        "error_class": "[FOREACH_BATCH_USER_FUNCTION_ERROR]" in error,
        "user_message": "RuntimeError: foreachBatch broke on purpose" in error,
    }


def batch_dataframe(spark, tmp):
    spark.dataSource.register(TargetSource)
    seen = {}

    def inspect(df, batch_id):
        if batch_id != 0:
            return
        seen["columns"] = df.columns
        seen["dtypes"] = df.dtypes
        seen["schema"] = df.schema.simpleString()
        seen["count"] = df.count()
        seen["empty"] = df.isEmpty()
        seen["rows"] = [r.asDict() for r in df.collect()]
        seen["iterated"] = [tuple(r) for r in df.toLocalIterator()]
        seen["pandas"] = df.toPandas().to_dict("list")
        seen["arrow"] = df.toArrow().to_pydict()
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown):
            df.show()
            df.show(2, truncate=3)
        seen["show"] = shown.getvalue()

    (spark.readStream.format("target").option("target", 3).load().writeStream
     .foreachBatch(inspect).trigger(availableNow=True).start().awaitTermination(TIMEOUT))
    return seen


def test_memory_sink_under_available_now_matches_spark(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, memory_available_now, tmp_path)
    assert ours == spark
    assert ours["rows"] == [(i, "row %d" % i) for i in range(3)]


@pytest.mark.parametrize("trigger", [{"availableNow": True}, {"once": True},
                                     {"processingTime": "100 milliseconds"}])
def test_admission_control_batches_match_spark(pyspark_session, tmp_path, trigger):
    ours, spark = both(pyspark_session, admission_control, tmp_path, trigger)
    assert ours == spark


def test_a_failing_source_fails_the_query_as_on_spark(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, failing_source, tmp_path)
    assert ours == spark
    assert ours["has_message"] and ours["stream_failed"]


def test_a_failing_foreach_batch_reruns_its_batch_id_as_on_spark(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, failing_foreach_batch, tmp_path)
    assert ours == spark
    assert ours["seen"] == [(0, 3), (0, 3)]


def test_the_batch_dataframe_matches_spark(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, batch_dataframe, tmp_path)
    assert ours == spark


def json_sink_batches(spark, tmp):
    """Twelve batches into the json sink, one Trigger.Once start each; what a reader of the
    directory sees."""
    spark.dataSource.register(CounterSource)
    out, checkpoint = os.path.join(tmp, "out"), os.path.join(tmp, "checkpoint")
    for _ in range(12):
        (spark.readStream.format("counter").option("limit", 100).load().writeStream
         .format("json").option("path", out).option("checkpointLocation", checkpoint)
         .trigger(once=True).start().awaitTermination(TIMEOUT))
    log = sorted(os.listdir(os.path.join(out, "_spark_metadata")))
    return {
        "log": [name for name in log if not name.startswith(".")],
        "part_names": sorted(re.sub(UUID, "<uuid>", name)
                             for name in os.listdir(out) if name.startswith("part-")),
        "compact_lines": open(os.path.join(out, "_spark_metadata", "9.compact"))
        .read().count("\n"),
        "out": out,
    }


def test_the_json_sink_logs_and_compacts_as_spark_and_spark_reads_it(pyspark_session,
                                                                      tmp_path):
    ours, spark = both(pyspark_session, json_sink_batches, tmp_path)
    ours_out = ours.pop("out")
    spark.pop("out")
    assert ours == spark
    assert "9.compact" in ours["log"] and ours["compact_lines"] == 10
    # Spark reads rivulet's directory through its log: every row once.
    rows = sorted(tuple(r) for r in pyspark_session.read.json(ours_out).collect())
    assert rows == [(i, "row %d" % i) for i in range(36)]


CSV_OPTIONS = [
    {"header": "true"},
    {"header": "true", "compression": "gzip", "quoteAll": "true", "nullValue": "NULL"},
    {"sep": ";", "escape": '"', "compression": "lz4"},
    {"quote": "'", "escapeQuotes": "false", "compression": "bzip2", "lineSep": "\r"},
    {"compression": "deflate", "ignoreLeadingWhiteSpace": "false", "emptyValue": "EMPTY"},
    {"compression": "snappy", "charToEscapeQuoteEscaping": "#"},
]


def csv_sink_files(spark, tmp, options):
    """Two batches of text that needs quoting into the csv sink with `options`; the
    bytes of each batch's file, decompressed, in batch order."""
    import bz2
    import gzip
    import zlib

    spark.dataSource.register(TrickyTextSource)
    out = os.path.join(tmp, "out")
    for _ in range(2):
        (spark.readStream.format("tricky_text").load().writeStream.format("csv")
         .options(**options).option("path", out)
         .option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(once=True).start().awaitTermination(TIMEOUT))
    unpack = {"gzip": gzip.decompress, "deflate": zlib.decompress, "bzip2": bz2.decompress}
    files = []
    for batch in ("0", "1"):
        with open(os.path.join(out, "_spark_metadata", batch)) as f:
            entries = [json.loads(line) for line in f.read().splitlines()[1:]]
        for entry in entries:
            path = entry["path"].replace("file://", "").replace("file:", "")
            name = os.path.basename(path)
            with open(os.path.join(out, name), "rb") as f:
                data = f.read()
            codec = options.get("compression")
            files.append((re.sub(UUID, "<uuid>", name),
                          unpack[codec](data) if codec in unpack else data))
    return {"files": files, "out": out}


@pytest.mark.parametrize("options", CSV_OPTIONS, ids=lambda o: ",".join(sorted(o)))
def test_the_csv_sink_writes_the_bytes_spark_writes_and_spark_reads_them(
        pyspark_session, tmp_path, options):
    ours, spark = both(pyspark_session, csv_sink_files, tmp_path, options)
    codec = options.get("compression")
    if codec not in ("lz4", "snappy"):  # Hadoop's block codecs: compared through Spark
        assert ours["files"] == spark["files"]
    else:
        assert [name for name, _ in ours["files"]] == [name for name, _ in spark["files"]]
    read = (pyspark_session.read.schema("id LONG, s STRING, d DOUBLE").option("multiLine", True)
            .options(**{k: v for k, v in options.items() if k != "compression"}))
    def rows(path):  # by id; repr so that NaN equals NaN
        return repr(sorted((tuple(r) for r in read.csv(path).collect()), key=lambda r: r[0]))

    assert rows(ours["out"]) == rows(spark["out"])


def partitioned_json(spark, tmp):
    """Two batches of awkward text into the json sink, partitioned by that text; every
    file under the directory (uuids masked) with its rows, and the log's paths."""
    spark.dataSource.register(TrickyTextSource)
    out = os.path.join(tmp, "out")
    for _ in range(2):
        (spark.readStream.format("tricky_text").load().writeStream.format("json")
         .partitionBy("s").option("path", out)
         .option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(once=True).start().awaitTermination(TIMEOUT))
    files = []
    for root, dirs, names in os.walk(out):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        for name in names:
            if name.startswith("part-"):
                with open(os.path.join(root, name)) as f:
                    files.append((os.path.relpath(os.path.join(root, name), out)
                                  .replace(name, re.sub(UUID, "<uuid>", name)), f.read()))
    logged = []
    for batch in ("0", "1"):
        with open(os.path.join(out, "_spark_metadata", batch)) as f:
            logged += [re.sub(UUID, "<uuid>", json.loads(line)["path"].split("/out/", 1)[1])
                       for line in f.read().splitlines()[1:]]
    return {"files": sorted(files), "logged": sorted(logged), "out": out}


def test_partition_by_makes_sparks_folders_and_files(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, partitioned_json, tmp_path)
    assert ours["files"] == spark["files"]
    assert ours["logged"] == spark["logged"]
    assert "s=__HIVE_DEFAULT_PARTITION__/part-00000-<uuid>.c000.json" in ours["logged"]
    # Spark reads rivulet's folders back as the partition column.
    read = pyspark_session.read.schema("id LONG, d DOUBLE, s STRING")
    assert (sorted(r.id for r in read.json(ours["out"]).collect())
            == sorted(r.id for r in read.json(spark["out"]).collect()))


def partition_errors(spark, tmp):
    spark.dataSource.register(CounterSource)
    messages = []
    for cols in (["nope"], ["id", "text"]):
        try:
            (spark.readStream.format("counter").load().writeStream.format("json")
             .partitionBy(*cols).option("path", os.path.join(tmp, "out"))
             .option("checkpointLocation", os.path.join(tmp, "cp-" + cols[0]))
             .trigger(once=True).start().awaitTermination(TIMEOUT))
            messages.append(None)
        except Exception as e:
            text = str(e)
            messages.append(next((m for m in (
                "Partition column nope not found in existing columns (id, text).",
                "[ALL_PARTITION_COLUMNS_NOT_ALLOWED]") if m in text), text))
    return messages


def test_partition_columns_spark_refuses_are_refused_alike(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, partition_errors, tmp_path)
    assert ours == spark


def python_writer_calls(spark, tmp, arrow):
    """Three Trigger.Once runs of the counter into a Python stream writer; what it was
    called with and what it committed."""
    from streaming_sources import LoggingSink

    spark.dataSource.register(CounterSource)
    spark.dataSource.register(LoggingSink)
    out = os.path.join(tmp, "out")
    for _ in range(3):
        (spark.readStream.format("counter").load().writeStream.format("logging_sink")
         .option("path", out).option("arrow", "true" if arrow else "false")
         .option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(once=True).start().awaitTermination(TIMEOUT))
    with open(os.path.join(out, "calls.log")) as f:
        calls = f.read().splitlines()
    with open(os.path.join(out, "rows.jsonl")) as f:
        rows = f.read().splitlines()
    return {"calls": calls, "rows": rows}


@pytest.mark.parametrize("arrow", [False, True], ids=["rows", "arrow"])
def test_a_python_stream_writer_is_called_as_on_spark(pyspark_session, tmp_path, arrow):
    ours, spark = both(pyspark_session, python_writer_calls, tmp_path, arrow)
    assert ours == spark
    assert ours["calls"] == ["commit 0 [3]", "commit 1 [3]", "commit 2 [3]"]
