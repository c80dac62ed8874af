"""The sinks into real systems, driven from the session as a PySpark user writes a query:
rows arrive once, a restart goes on where the query stopped, and a table or directory of
another query is refused."""

import sqlite3

import pytest

from streaming_sources import CounterSource


def _run_to_end(spark, fmt, checkpoint, limit=9, **options):
    writer = (spark.readStream.format("counter").option("limit", limit).load()
              .writeStream.format(fmt).option("checkpointLocation", checkpoint))
    for key, value in options.items():
        writer = writer.option(key, value)
    query = writer.start()
    query.processAllAvailable()
    query.stop()
    return query


def test_the_sqlite_sink_appends_every_row_once_across_restarts(spark, tmp_path):
    spark.dataSource.register(CounterSource)
    db = str(tmp_path / "out.db")
    checkpoint = str(tmp_path / "cp")
    _run_to_end(spark, "sqlite", checkpoint, limit=9, path=db, table="events")
    # The same query again, with more rows in its source: it goes on at batch 3.
    query = _run_to_end(spark, "sqlite", checkpoint, limit=15, path=db, table="events")

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, text FROM events ORDER BY id").fetchall()
        progress = conn.execute(
            "SELECT table_name, query_id, batch_id FROM _rivulet_sink_progress").fetchall()
    assert rows == [(i, "row %d" % i) for i in range(15)]
    assert progress == [("events", query.id, 4)]


def test_the_sqlite_sink_refuses_a_table_another_query_writes(spark, tmp_path):
    spark.dataSource.register(CounterSource)
    db = str(tmp_path / "out.db")
    first = _run_to_end(spark, "sqlite", str(tmp_path / "cp1"), path=db, table="events")

    with pytest.raises(Exception) as refused:
        _run_to_end(spark, "sqlite", str(tmp_path / "cp2"), path=db, table="events")
    message = str(refused.value)
    assert "belongs to query %s" % first.id in message
    assert str(tmp_path / "cp2") in message
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (9,)
