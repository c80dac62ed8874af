"""toArrow() reads the engine's batch in place (Arrow's C stream interface), for every
Spark type, with the same table as decoding the batch's Arrow IPC encoding gives."""

import datetime as dt
import decimal

import pyarrow as pa

SCHEMA = (
    "b BOOLEAN, y TINYINT, s SMALLINT, i INT, l BIGINT, f FLOAT, d DOUBLE, "
    "dec DECIMAL(10,2), str STRING, bin BINARY, day DATE, ts TIMESTAMP, ntz TIMESTAMP_NTZ, "
    "arr ARRAY<INT>, m MAP<STRING, BIGINT>, st STRUCT<a: INT, b: STRING> COMMENT 'a struct'"
)
UTC = dt.timezone.utc
ROWS = [
    (True, 1, 2, 3, 4, 1.5, 2.5, decimal.Decimal("12.34"), "héllo", b"\x00\x01",
     dt.date(2026, 12, 2), dt.datetime(2026, 12, 2, 4, 5, 6, 789, tzinfo=UTC),
     dt.datetime(2026, 12, 2, 4, 5, 6), [1, None, 3], {"k": 7}, (1, "x")),
    (None,) * 16,
    (False, -1, -2, -3, -4, -1.5, -2.5, decimal.Decimal("-0.01"), "", b"",
     dt.date(1970, 1, 1), dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(1970, 1, 1),
     [], {}, (None, None)),
]


def all_types_source():
    from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

    class Reader(SimpleDataSourceStreamReader):
        def initialOffset(self):
            return {"done": False}

        def read(self, start):
            if start["done"]:
                return iter([]), start
            return iter(ROWS), {"done": True}

        def readBetweenOffsets(self, start, end):
            return iter([] if start["done"] else ROWS)

    class AllTypes(DataSource):
        @classmethod
        def name(cls):
            return "all_types"

        def schema(self):
            return SCHEMA

        def simpleStreamReader(self, schema):
            return Reader()

    return AllTypes


def test_to_arrow_is_the_batch_in_place_for_every_type(spark):
    spark.dataSource.register(all_types_source())
    seen = {}

    def keep(df, batch_id):
        first, second = df.toArrow(), df.toArrow()
        seen["table"] = first
        seen["from_ipc"] = pa.ipc.open_stream(pa.py_buffer(df._streams[0])).read_all()
        # Both tables point at the same (the engine's) memory: nothing was copied.
        seen["same_memory"] = (
            first.column("l").chunks[0].buffers()[1].address
            == second.column("l").chunks[0].buffers()[1].address
        )
        seen["count"] = df.count()

    query = (
        spark.readStream.format("all_types").load().writeStream.foreachBatch(keep)
        .trigger(once=True).start()
    )
    query.awaitTermination(60)
    table = seen["table"]
    assert table.equals(seen["from_ipc"])
    assert table.schema.equals(seen["from_ipc"].schema, check_metadata=True)
    assert seen["same_memory"]
    assert seen["count"] == 3
    assert table.schema.field("st").metadata == {b"comment": b"a struct"}
    assert str(table.schema.field("ts").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("m").type) == "map<string, int64>"

    spark.stop()  # the table keeps the engine's buffers alive on its own
    rows = table.to_pylist()
    assert rows[0]["str"] == "héllo" and rows[0]["arr"] == [1, None, 3]
    assert rows[0]["m"] == [("k", 7)] and rows[0]["st"] == {"a": 1, "b": "x"}
    assert rows[0]["dec"] == decimal.Decimal("12.34")
    assert rows[0]["ts"] == dt.datetime(2026, 12, 2, 4, 5, 6, 789, tzinfo=UTC)
    assert all(v is None for v in rows[1].values())
    assert rows[2]["arr"] == [] and rows[2]["m"] == [] and rows[2]["st"] == {"a": None, "b": None}


def test_a_memory_table_reads_in_place_too(spark):
    query = (
        spark.readStream.format("rate-micro-batch").option("rowsPerBatch", "4").load()
        .writeStream.format("memory").queryName("ticks").trigger(once=True).start()
    )
    query.awaitTermination(60)
    table = spark.table("ticks").toArrow()
    assert table.column("value").to_pylist() == [0, 1, 2, 3]
    assert spark.table("ticks").count() == 4
