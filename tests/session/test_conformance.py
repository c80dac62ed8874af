"""Conformance: the same Python source class gives the same rows on Apache Spark (PySpark
4.3) and on rivulet, converts values as Spark converts them, and fails where Spark fails,
with Spark's error class in the message."""

import json
import os
import time

import pytest

import streaming_sources
from conformance import load_class, observe
from streaming_sources import NESTED_NULLS, ConversionsSource, NestedNullSource, RefusedReadSource
from test_side_by_side import TIMEOUT, both

ONCE, AVAILABLE_NOW = {"once": True}, {"availableNow": True}

# Every source of examples/ and of the tests, and the tricky ones, with the runs each gets
# (trigger and options, over one checkpoint): the batches, their offsets, their rows and
# the source's commit calls must be Spark's.
SOURCES = {
    "simple reader, one batch per run": (
        "counter", [(AVAILABLE_NOW, {"limit": 9}), (ONCE, {"limit": 9}),
                    (AVAILABLE_NOW, {"limit": 9})]),
    "partitioned reader, ReadMaxRows, available-now": (
        "target", [(AVAILABLE_NOW, {"target": 5}), (ONCE, {"target": 9}),
                   (AVAILABLE_NOW, {"target": 12})]),
    "text and doubles": ("tricky_text", [(ONCE, {}), (ONCE, {}), (ONCE, {})]),
    "every type, nested, nulls": ("all_types", [(AVAILABLE_NOW, {"batches": 3})]),
    "pyarrow RecordBatches from partitions": (
        "arrow_partitions", [(ONCE, {"limit": 4}), (AVAILABLE_NOW, {"limit": 10})]),
    "examples/partitioned_counter.py": (
        ("examples/partitioned_counter.py", "PartitionedCounter"),
        [(AVAILABLE_NOW, {"partitions": 3, "rows_per_batch": 4, "limit": 10}),
         (ONCE, {"partitions": 2, "rows_per_batch": 4, "limit": 13})]),
    "examples/file_monitor.py": (
        ("examples/file_monitor.py", "FileMonitorSource"),
        [(AVAILABLE_NOW, {"max_files": 2}), (ONCE, {"max_files": 2}),
         (AVAILABLE_NOW, {})]),
    "Spark 4.0 reader, zero-argument latestOffset": (
        ("tests/python/sources/spark_stream_reader.py", "TestDataSource"),
        [(ONCE, {}), (ONCE, {})]),
    "Spark's admission control": (
        ("tests/python/sources/spark_admission_control.py", "TestDataSource"),
        [(AVAILABLE_NOW, {}), (ONCE, {})]),
    "Spark's partitioned available-now": (
        ("tests/python/sources/spark_available_now.py", "AvailableNowDataSource"),
        [(AVAILABLE_NOW, {}), (ONCE, {})]),
    "Spark's simple reader": (
        ("tests/python/sources/spark_simple_reader.py", "SimpleDataSource"),
        [(ONCE, {}), (AVAILABLE_NOW, {}), (ONCE, {})]),
    "Spark's simple available-now": (
        ("tests/python/sources/spark_simple_available_now.py", "SimpleAvailableNowSource"),
        [(AVAILABLE_NOW, {}), (ONCE, {})]),
    "empty batches that advance": (
        ("tests/python/sources/spark_simple_empty_batches.py", "EmptyBatchSource"),
        [(ONCE, {}), (ONCE, {}), (ONCE, {}), (AVAILABLE_NOW, {})]),
    "the admission-control example of Spark's docs": (
        ("tests/python/sources/blockchain_admission_control.py", "ChainSource"),
        [(ONCE, {})]),
    "a partition yielding one RecordBatch": (
        ("tests/python/sources/spark_pyarrow_reader.py", "PyArrowDataSource"),
        [(ONCE, {}), (ONCE, {})]),
}


def source_class(what):
    if isinstance(what, tuple):
        return load_class(*what)
    return next(c for c in vars(streaming_sources).values()
                if isinstance(c, type) and getattr(c, "name", None) is not None
                and "name" in vars(c) and c.name() == what)


@pytest.mark.parametrize("case", sorted(SOURCES))
def test_each_source_gives_sparks_batches_rows_and_commit_calls(pyspark_session, tmp_path,
                                                                 case):
    what, runs = SOURCES[case]
    inbox = tmp_path / "inbox"
    if case == "examples/file_monitor.py":
        inbox.mkdir()
        for i in range(5):  # files with distinct change times, renamed in
            (inbox / (".f%d" % i)).write_text("file %d\n" % i)
            os.rename(inbox / (".f%d" % i), inbox / ("f%d.txt" % i))
            time.sleep(0.01)
        runs = [(trigger, dict(options, path=str(inbox), settle_ms=0))
                for trigger, options in runs]
    cls = source_class(what)
    ours, spark = both(pyspark_session, lambda s, tmp: observe(s, tmp, cls, runs), tmp_path)
    assert ours["batches"] == spark["batches"]
    assert ours["committed"] == spark["committed"]
    assert ours["commit_calls"] == spark["commit_calls"]
    assert ours["batches"], "the case ran no batch"


def json_lines(out):
    lines = []
    for name in sorted(os.listdir(out)):
        if name.startswith("part-"):
            with open(os.path.join(out, name)) as f:
                lines += [json.loads(line) for line in f if line.strip()]
    return lines


def conversions(spark, tmp):
    spark.dataSource.register(ConversionsSource)
    out = os.path.join(tmp, "out")
    q = (spark.readStream.format("conversions").load().writeStream.format("json")
         .option("path", out).option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(availableNow=True).start())
    q.awaitTermination(TIMEOUT)
    return sorted(json_lines(out), key=json.dumps)


def test_values_are_converted_as_spark_converts_them(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, conversions, tmp_path)
    assert ours == spark
    assert len(ours) == len(spark) == 4


def refused_read(spark, tmp, case):
    spark.dataSource.register(RefusedReadSource)
    q = (spark.readStream.format("refused_read").option("case", case).load()
         .writeStream.format("json").option("path", os.path.join(tmp, "out"))
         .option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(availableNow=True).start())
    with pytest.raises(Exception) as raised:
        q.awaitTermination(TIMEOUT)
    message = str(raised.value)
    return {
        "stream_failed": message.startswith("[STREAM_FAILED]"),
        "classes": [c for c in ("DATA_SOURCE_INVALID_RETURN_TYPE",
                                "DATA_SOURCE_RETURN_SCHEMA_MISMATCH") if c in message],
        "committed": os.path.exists(os.path.join(tmp, "checkpoint", "commits", "0")),
    }


@pytest.mark.parametrize("case, error_class", [
    ("dict_rows", "DATA_SOURCE_INVALID_RETURN_TYPE"),
    ("renamed_row", "DATA_SOURCE_RETURN_SCHEMA_MISMATCH"),
    ("short_row", "DATA_SOURCE_RETURN_SCHEMA_MISMATCH"),
    ("arrow_long_for_int", "DATA_SOURCE_RETURN_SCHEMA_MISMATCH"),
    ("arrow_renamed", "DATA_SOURCE_RETURN_SCHEMA_MISMATCH"),
    ("arrow_wide", "DATA_SOURCE_RETURN_SCHEMA_MISMATCH"),
    ("arrow_not_null", "DATA_SOURCE_RETURN_SCHEMA_MISMATCH"),
    ("arrow_large_string", "DATA_SOURCE_RETURN_SCHEMA_MISMATCH"),
])
def test_reads_spark_refuses_are_refused_with_its_error_class(pyspark_session, tmp_path, case,
                                                             error_class):
    ours, spark = both(pyspark_session, refused_read, tmp_path, case)
    assert ours == spark == {"stream_failed": True, "classes": [error_class],
                             "committed": False}


def accepted_read(spark, tmp, case):
    """The rows one read of RefusedReadSource's `case` gives the json sink."""
    spark.dataSource.register(RefusedReadSource)
    out = os.path.join(tmp, "out")
    q = (spark.readStream.format("refused_read").option("case", case).load()
         .writeStream.format("json").option("path", out)
         .option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(availableNow=True).start())
    q.awaitTermination(TIMEOUT)
    return json_lines(out)


@pytest.mark.parametrize("case", [
    "a_list",  # a simple reader's rows may be any iterable
    "arrow_matching",  # a RecordBatch of the Arrow types Spark derives from the schema
])
def test_reads_spark_takes_give_the_same_rows_on_both(pyspark_session, tmp_path, case):
    ours, spark = both(pyspark_session, accepted_read, tmp_path, case)
    assert ours == spark == [{"a": 1, "b": "x"}]


def nested_null(spark, tmp, case):
    spark.dataSource.register(NestedNullSource)
    out = os.path.join(tmp, "out")
    q = (spark.readStream.format("nested_null").option("case", case).load()
         .writeStream.format("json").option("path", out)
         .option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(availableNow=True).start())
    try:
        q.awaitTermination(TIMEOUT)
    except Exception as e:
        return "Value at index is null" in str(e)
    return json_lines(out)


@pytest.mark.parametrize("case", sorted(NESTED_NULLS))
def test_a_null_inside_a_nested_collection_reaches_the_sink_where_spark_fails(
        pyspark_session, tmp_path, case):
    ours, spark = both(pyspark_session, nested_null, tmp_path, case)
    assert spark is True, "Spark now takes it: rivulet and the README should follow"
    name = NESTED_NULLS[case][0].split()[0]
    value = NESTED_NULLS[case][1]
    assert ours == [{name: value.asDict() if hasattr(value, "asDict") else value}]
