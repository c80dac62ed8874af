"""Conformance: the same Python source class gives the same rows on Apache Spark (PySpark
4.3) and on rivulet, converts values as Spark converts them, and fails where Spark fails,
with Spark's error class in the message."""

import json
import os

import pytest

from streaming_sources import ConversionsSource, RefusedReadSource
from test_side_by_side import TIMEOUT, both


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
])
def test_reads_spark_refuses_are_refused_with_its_error_class(pyspark_session, tmp_path, case,
                                                             error_class):
    ours, spark = both(pyspark_session, refused_read, tmp_path, case)
    assert ours == spark == {"stream_failed": True, "classes": [error_class],
                             "committed": False}


def listed_rows(spark, tmp):
    spark.dataSource.register(RefusedReadSource)
    out = os.path.join(tmp, "out")
    q = (spark.readStream.format("refused_read").option("case", "a_list").load()
         .writeStream.format("json").option("path", out)
         .option("checkpointLocation", os.path.join(tmp, "checkpoint"))
         .trigger(availableNow=True).start())
    q.awaitTermination(TIMEOUT)
    return json_lines(out)


def test_a_simple_readers_rows_may_be_a_list_on_both(pyspark_session, tmp_path):
    ours, spark = both(pyspark_session, listed_rows, tmp_path)
    assert ours == spark == [{"a": 1, "b": "x"}]
