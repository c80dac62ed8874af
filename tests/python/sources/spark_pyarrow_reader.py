"""A partitioned reader whose read() yields one pyarrow RecordBatch (needs pyarrow)."""

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition


class PyArrowStreamReader(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def latestOffset(self):
        return {"offset": 2}

    def partitions(self, start, end):
        return [InputPartition(0)]

    def read(self, partition):
        import pyarrow as pa

        keys = pa.array([1, 2, 3, 4, 5], type=pa.int32())
        values = pa.array(["one", "two", "three", "four", "five"], type=pa.string())
        schema = pa.schema([("key", pa.int32()), ("value", pa.string())])
        yield pa.RecordBatch.from_arrays([keys, values], schema=schema)


class PyArrowDataSource(DataSource):
    @classmethod
    def name(cls):
        return "testdatasourcepyarrow"

    def schema(self):
        return "key int, value string"

    def streamReader(self, schema):
        return PyArrowStreamReader()
