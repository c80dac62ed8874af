"""Checkpoint handoff between rivulet and Apache Spark (PySpark 4.3): a query started on one
engine goes on on the other from the same checkpoint and output directory, with the same
source class, and every row reaches the output exactly once."""

import json
import os
import subprocess
import sys
import time

import pytest

from streaming_sources import CounterSource

TIMEOUT = 120
HERE = os.path.dirname(os.path.abspath(__file__))


def wait_for_commit(checkpoint, batch_id, query=None):
    """Waits until the query committed `batch_id` (both engines write commits/<id> last)."""
    deadline = time.monotonic() + TIMEOUT
    path = os.path.join(checkpoint, "commits", str(batch_id))
    while not os.path.exists(path):
        if query is not None and not query.isActive:
            raise AssertionError("the query ended before batch %d: %r"
                                 % (batch_id, query.exception()))
        assert time.monotonic() < deadline, "no commit of batch %d" % batch_id
        time.sleep(0.05)


def run_counter(spark, out, checkpoint, limit, last_batch):
    """CounterSource (three rows a batch, `limit` rows in all) into the json sink until
    `last_batch` is committed, on either engine's session."""
    spark.dataSource.register(CounterSource)
    query = (spark.readStream.format("counter").option("limit", str(limit)).load()
             .writeStream.format("json").option("path", out)
             .option("checkpointLocation", checkpoint).start())
    try:
        wait_for_commit(checkpoint, last_batch, query)
    finally:
        query.stop()


def run_counter_cli(out, checkpoint, limit, batches):
    """The same through `rivulet run`, the command pip installs beside this Python."""
    command = [os.path.join(os.path.dirname(sys.executable), "rivulet"), "run",
               "--source", os.path.join(HERE, "streaming_sources.py") + ":CounterSource",
               "-o", "limit=%d" % limit, "--sink", "json", "--sink-option", "path=" + out,
               "--checkpoint", checkpoint, "--max-batches", str(batches),
               "--python", sys.executable]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr


def offset_line(checkpoint, batch_id):
    with open(os.path.join(checkpoint, "offsets", str(batch_id))) as f:
        return f.read().split("\n")[2]


def offset_conf(checkpoint, batch_id):
    with open(os.path.join(checkpoint, "offsets", str(batch_id))) as f:
        return json.loads(f.read().split("\n")[1])["conf"]


def ids_read_by(spark, out):
    return sorted(row.id for row in spark.read.json(out).collect())


@pytest.mark.parametrize("started_by", ["cli", "session"])
def test_spark_goes_on_from_a_checkpoint_rivulet_wrote(pyspark_session, tmp_path, started_by):
    out, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")
    if started_by == "cli":
        run_counter_cli(out, checkpoint, limit=9, batches=3)
    else:
        from rivulet import SparkSession

        ours = SparkSession.builder.getOrCreate()
        try:
            run_counter(ours, out, checkpoint, limit=9, last_batch=2)
        finally:
            ours.stop()
    assert offset_line(checkpoint, 2) == '{"next": 9}'  # json.dumps, byte for byte

    run_counter(pyspark_session, out, checkpoint, limit=18, last_batch=5)
    # Spark planned batch 3 from where rivulet's batch 2 ended, and read nothing twice.
    assert [offset_line(checkpoint, b) for b in (3, 4, 5)] == [
        '{"next": 12}', '{"next": 15}', '{"next": 18}']
    assert ids_read_by(pyspark_session, out) == list(range(18))
    # rivulet recorded what Spark records, so Spark kept its state formats.
    assert offset_conf(checkpoint, 0)["spark.sql.streaming.aggregation.stateFormatVersion"] == "2"


def test_rivulet_goes_on_from_a_checkpoint_and_output_spark_wrote(pyspark_session, tmp_path):
    from rivulet import SparkSession

    out, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")
    run_counter(pyspark_session, out, checkpoint, limit=36, last_batch=11)
    assert "9.compact" in os.listdir(os.path.join(out, "_spark_metadata"))

    ours = SparkSession.builder.getOrCreate()
    try:
        run_counter(ours, out, checkpoint, limit=45, last_batch=14)
        assert ids_read_by(ours, out) == list(range(45))
    finally:
        ours.stop()
    run_counter_cli(out, checkpoint, limit=48, batches=1)

    assert [offset_line(checkpoint, b) for b in (12, 15)] == ['{"next": 39}', '{"next": 48}']
    # The conf Spark recorded goes on as it was.
    assert offset_conf(checkpoint, 15) == offset_conf(checkpoint, 11)
    assert ids_read_by(pyspark_session, out) == list(range(48))


def test_a_spark_offset_log_of_a_version_rivulet_does_not_read_is_refused_saying_so(
        pyspark_session, tmp_path):
    from rivulet import SparkSession

    out, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")
    pyspark_session.conf.set("spark.sql.streaming.offsetLog.formatVersion", "2")
    try:
        run_counter(pyspark_session, out, checkpoint, limit=6, last_batch=1)
    finally:
        pyspark_session.conf.unset("spark.sql.streaming.offsetLog.formatVersion")
    with open(os.path.join(checkpoint, "offsets", "1")) as f:
        assert f.read().startswith("v2\n")

    ours = SparkSession.builder.getOrCreate()
    try:
        with pytest.raises(Exception) as refused:
            run_counter(ours, out, checkpoint, limit=9, last_batch=2)
    finally:
        ours.stop()
    message = str(refused.value)
    assert checkpoint + "/offsets/1 has log version v2, newer than the v1" in message
    assert "Spark 4.2+'s offset log for named sources" in message
    logged = os.listdir(os.path.join(checkpoint, "offsets"))
    assert sorted(name for name in logged if not name.startswith(".")) == ["0", "1"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_spark_streaming_file_source_reads_rivulets_output_through_its_log(
        pyspark_session, tmp_path, fmt):
    from rivulet import SparkSession

    out, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")
    ours = SparkSession.builder.getOrCreate()
    try:
        ours.dataSource.register(CounterSource)
        query = (ours.readStream.format("counter").option("limit", "9").load()
                 .writeStream.format(fmt).option("path", out)
                 .option("checkpointLocation", checkpoint).start())
        wait_for_commit(checkpoint, 2, query)
        query.stop()
    finally:
        ours.stop()
    # A file the log does not list is not output: Spark's source must not read it.
    with open(os.path.join(out, "part-00000-stray.%s" % fmt), "w") as f:
        f.write('{"id": 99, "text": "stray"}\n' if fmt == "json" else "99,stray\n")

    name = "seen_%s_%d" % (fmt, os.getpid())
    seen = (pyspark_session.readStream.schema("id LONG, text STRING").format(fmt).load(out)
            .writeStream.format("memory").queryName(name)
            .option("checkpointLocation", str(tmp_path / "reader-checkpoint"))
            .trigger(availableNow=True).start())
    seen.awaitTermination(TIMEOUT)
    assert sorted(row.id for row in pyspark_session.table(name).collect()) == list(range(9))
