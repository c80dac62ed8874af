"""The streaming-reader cases of Spark's own suite for Python streaming data sources
(pyspark/sql/tests/test_python_streaming_datasource.py in Apache Spark's repository; PyPI's
pyspark does not ship its tests), written again here and run on both engines. Its other
cases need a stream writer or batch DataFrame transformations (spark.range, selectExpr),
which rivulet's session does not have yet.

The sources are defined inside the tests, so both engines must ship them by value."""

import importlib
import time

import pytest

TIMEOUT = 120


def wait_until(condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture(params=["pyspark.sql.datasource", "rivulet.datasource"])
def datasource_module(request):
    """Real PySpark's classes, and rivulet's own, which the stand-in modules export."""
    return importlib.import_module(request.param)


def test_a_data_source_without_overrides_keeps_options_and_refuses_the_rest(datasource_module):
    class MyDataSource(datasource_module.DataSource):
        ...

    source = MyDataSource(options={"a": 1, "b": 2})
    assert source.options == {"a": 1, "b": 2}
    assert source.name() == "MyDataSource"
    with pytest.raises(NotImplementedError):
        source.schema()
    with pytest.raises(NotImplementedError):
        source.streamReader(None)
    with pytest.raises(NotImplementedError):
        source.streamWriter(None, None)


def test_a_stream_readers_read_is_a_plain_generator(datasource_module):
    class Reader(datasource_module.DataSourceStreamReader):
        def read(self, partition):
            yield (1, "abc")

    assert list(Reader().read(None)) == [(1, "abc")]


def run_two_rows_a_batch(spark, source_class, format_name):
    """foreachBatch checks every batch holds rows 2b and 2b+1; ten batches, then stop."""
    spark.dataSource.register(source_class)
    failures = []

    def check_batch(batch_df, batch_id):
        rows = sorted(tuple(r) for r in batch_df.collect())
        if rows != [(batch_id * 2,), (batch_id * 2 + 1,)]:
            failures.append((batch_id, rows))
            raise AssertionError("batch %d holds %r" % (batch_id, rows))

    query = spark.readStream.format(format_name).load().writeStream.foreachBatch(check_batch).start()
    try:
        wait_until(lambda: len(query.recentProgress) >= 10 or not query.isActive)
    finally:
        query.stop()
    query.awaitTermination()
    assert failures == []
    assert query.exception() is None


def test_a_partitioned_reader_delivers_each_range_once(any_spark):
    from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition

    class RangePartition(InputPartition):
        def __init__(self, start, end):
            self.start, self.end = start, end

    class TwoAtATime(DataSourceStreamReader):
        current = 0

        def initialOffset(self):
            return {"offset": 0}

        def latestOffset(self):
            self.current += 2
            return {"offset": self.current}

        def partitions(self, start, end):
            return [RangePartition(start["offset"], end["offset"])]

        def commit(self, end):
            pass

        def read(self, partition):
            for i in range(partition.start, partition.end):
                yield (i,)

    class TestDataSource(DataSource):
        def schema(self):
            return "id INT"

        def streamReader(self, schema):
            return TwoAtATime()

    run_two_rows_a_batch(any_spark, TestDataSource, "TestDataSource")


def test_a_simple_reader_delivers_each_read_as_one_batch(any_spark):
    from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

    class TwoAtATime(SimpleDataSourceStreamReader):
        def initialOffset(self):
            return {"offset": 0}

        def read(self, start):
            first = start["offset"]
            return iter([(i,) for i in range(first, first + 2)]), {"offset": first + 2}

        def commit(self, end):
            pass

        def readBetweenOffsets(self, start, end):
            return iter([(i,) for i in range(start["offset"], end["offset"])])

    class SimpleDataSource(DataSource):
        def schema(self):
            return "id INT"

        def simpleStreamReader(self, schema):
            return TwoAtATime()

    run_two_rows_a_batch(any_spark, SimpleDataSource, "SimpleDataSource")


def test_a_reader_yielding_arrow_record_batches_writes_them_to_the_json_sink(any_spark, tmp_path):
    from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition

    class ArrowReader(DataSourceStreamReader):
        def initialOffset(self):
            return {"offset": 0}

        def latestOffset(self):
            return {"offset": 2}

        def partitions(self, start, end):
            return [InputPartition(0)]

        def read(self, partition):
            import pyarrow as pa

            yield pa.RecordBatch.from_arrays(
                [
                    pa.array([1, 2, 3, 4, 5], type=pa.int32()),
                    pa.array(["one", "two", "three", "four", "five"], type=pa.string()),
                ],
                schema=pa.schema([("key", pa.int32()), ("value", pa.string())]),
            )

    class ArrowSource(DataSource):
        @classmethod
        def name(cls):
            return "testdatasourcepyarrow"

        def schema(self):
            return "key int, value string"

        def streamReader(self, schema):
            return ArrowReader()

    any_spark.dataSource.register(ArrowSource)
    output, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")
    query = (
        any_spark.readStream.format("testdatasourcepyarrow")
        .load()
        .writeStream.format("json")
        .option("checkpointLocation", checkpoint)
        .start(output)
    )
    try:
        wait_until(lambda: query.recentProgress or not query.isActive)
    finally:
        query.stop()
    query.awaitTermination()
    rows = sorted(tuple(r) for r in any_spark.read.json(output).collect())
    assert rows == [(1, "one"), (2, "two"), (3, "three"), (4, "four"), (5, "five")]
