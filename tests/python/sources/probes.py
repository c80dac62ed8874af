"""Probing sources for the engine's end-to-end tests (tests/python_source_test.cc): each
reports what a test must observe from outside, such as which process ran a read, when, and
which reader methods were called.

CountingSource     a simple reader: `rows` values a read (default 2), numbered from 0, each
                   row (value, worker pid); readBetweenOffsets appends "start end" to the
                   file named by option `replays` when it is set. With `stuck_at=N` a read
                   from offset N returns its rows but does not advance (an error). With
                   `sleep_ms=N` every read first sleeps N ms, after creating the file
                   named by option `reading` when it is set.
SleepyPartitions   a partitioned reader: `partitions` partitions a batch (default 2), each
                   sleeping `sleep_ms` (default 500) in read and yielding
                   (partition, worker pid, read start, read end) in seconds since the epoch.
InterpreterSource  one row a read: (value, sys.executable, Python version).
"""

import os
import sys
import time

from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    InputPartition,
    SimpleDataSourceStreamReader,
)


class _CountingReader(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.rows = int(options.get("rows", "2"))
        self.replays = options.get("replays")
        stuck_at = options.get("stuck_at")
        self.stuck_at = int(stuck_at) if stuck_at is not None else None
        self.sleep = int(options.get("sleep_ms", "0")) / 1000.0
        self.reading = options.get("reading")

    def initialOffset(self):
        return {"next": 0}

    def _rows(self, first, stop):
        pid = os.getpid()
        return [(v, pid) for v in range(first, stop)]

    def read(self, start):
        if self.reading is not None:
            open(self.reading, "a").close()
        if self.sleep:
            time.sleep(self.sleep)
        first = start["next"]
        if first == self.stuck_at:
            return iter(self._rows(first, first + self.rows)), start
        return iter(self._rows(first, first + self.rows)), {"next": first + self.rows}

    def readBetweenOffsets(self, start, end):
        if self.replays is not None:
            with open(self.replays, "a") as f:
                f.write("%d %d\n" % (start["next"], end["next"]))
        return iter(self._rows(start["next"], end["next"]))


class CountingSource(DataSource):
    def schema(self):
        return "value BIGINT NOT NULL, pid INT NOT NULL"

    def simpleStreamReader(self, schema):
        return _CountingReader(self.options)


class _SleepyReader(DataSourceStreamReader):
    def __init__(self, options):
        self.count = int(options.get("partitions", "2"))
        self.sleep = int(options.get("sleep_ms", "500")) / 1000.0

    def initialOffset(self):
        return {"next": 0}

    def latestOffset(self, start, limit):
        return {"next": start["next"] + self.count}

    def partitions(self, start, end):
        return [InputPartition(i) for i in range(start["next"], end["next"])]

    def read(self, partition):
        began = time.time()
        time.sleep(self.sleep)
        yield (partition.value, os.getpid(), began, time.time())


class SleepyPartitions(DataSource):
    def schema(self):
        return "partition INT, pid INT, began DOUBLE, ended DOUBLE"

    def streamReader(self, schema):
        return _SleepyReader(self.options)


class _InterpreterReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"next": 0}

    def read(self, start):
        n = start["next"]
        version = "%d.%d.%d" % sys.version_info[:3]
        return iter([(n, sys.executable, version)]), {"next": n + 1}

    def readBetweenOffsets(self, start, end):
        version = "%d.%d.%d" % sys.version_info[:3]
        return iter([(n, sys.executable, version) for n in range(start["next"], end["next"])])


class InterpreterSource(DataSource):
    def schema(self):
        return "value BIGINT, executable STRING, version STRING"

    def simpleStreamReader(self, schema):
        return _InterpreterReader()
