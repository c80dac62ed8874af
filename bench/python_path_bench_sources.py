"""The sources bench/python_path_bench.py runs in rivulet, and the floors it sets them
against, which do the same work in a plain interpreter.

TupleSource   a simple reader of (long, string, double) tuples, `rows_per_batch` a read.
ArrowSource   a simple reader yielding one pre-built pyarrow RecordBatch of `rows_per_batch`
              rows a read (built once, as a source holding Arrow data has it).
ClockSource   a simple reader of rows that become available at `rate` rows a second from
              `start` (epoch seconds): row i at start + i / rate.
IdleSource    a simple reader that never has data.

The rows and batches come from bench/python_path_bench_rows.py, which the floors import too.
"""

import time

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

from python_path_bench_rows import make_arrow_batch, make_rows


class _Counted(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.per_batch = int(options.get("rows_per_batch", "100000"))

    def initialOffset(self):
        return {"next": 0}

    def readBetweenOffsets(self, start, end):
        return iter(make_rows(start["next"], end["next"]))


class _TupleReader(_Counted):
    def read(self, start):
        first = start["next"]
        return iter(make_rows(first, first + self.per_batch)), {"next": first + self.per_batch}


class TupleSource(DataSource):
    def schema(self):
        return "id LONG, name STRING, score DOUBLE"

    def simpleStreamReader(self, schema):
        return _TupleReader(self.options)


class _ArrowReader(_Counted):
    def __init__(self, options):
        super().__init__(options)
        self.batch = make_arrow_batch(self.per_batch)

    def read(self, start):
        first = start["next"]
        return iter([self.batch]), {"next": first + self.per_batch}


class ArrowSource(DataSource):
    def schema(self):
        return "id LONG, name STRING, score DOUBLE"

    def simpleStreamReader(self, schema):
        return _ArrowReader(self.options)


class _ClockReader(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.start = float(options["start"])
        self.rate = float(options["rate"])

    def initialOffset(self):
        return {"n": 0}

    def read(self, start):
        first, stop = start["n"], int((time.time() - self.start) * self.rate)
        if stop <= first:
            return iter([]), start
        return iter([(i,) for i in range(first, stop)]), {"n": stop}

    def readBetweenOffsets(self, start, end):
        return iter([(i,) for i in range(start["n"], end["n"])])


class ClockSource(DataSource):
    def schema(self):
        return "id LONG"

    def simpleStreamReader(self, schema):
        return _ClockReader(self.options)


class _IdleReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}

    def read(self, start):
        return iter([]), start

    def readBetweenOffsets(self, start, end):
        return iter([])


class IdleSource(DataSource):
    def schema(self):
        return "id LONG"

    def simpleStreamReader(self, schema):
        return _IdleReader()
