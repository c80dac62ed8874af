"""Sources that fail on purpose, for the error-path tests.

FaultySource is a partitioned counter (two rows a batch) whose options choose a failure:
  fail=<method>     raise Exception("error in <method>") from that method
  crash=<method>    end the worker process in that method, as crash_how says:
                    exit (sys.exit(3)), os_exit (os._exit(4), no clean-up), kill (SIGKILL
                    itself), segfault (a null read in C), fork_exit (fork a child that
                    keeps every descriptor and sleeps for two minutes, writing its pid to
                    the file option child_pid names, then os._exit(5))
  crash_once=<path> crash only while <path> does not exist (the crash creates it), so a
                    respawned worker goes on; of reads running at once only one crashes
  print=yes         print a line to stdout and one to stderr from every method
  orphan=<method>   start a process in that method that outlives the worker for 5 seconds
                    and keeps its stdout and stderr open
"""

import datetime
import os
import signal
import sys

from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    InputPartition,
    SimpleDataSourceStreamReader,
)

_METHODS_SEEN = []


class _Faults:
    def __init__(self, options):
        self.options = dict(options)

    def at(self, method):
        if self.options.get("print") == "yes":
            print("stdout from %s" % method)
            print("stderr from %s" % method, file=sys.stderr)
        if self.options.get("orphan") == method:
            import subprocess

            subprocess.Popen(["sleep", "5"])
        if self.options.get("fail") == method:
            raise Exception("error in %s" % method)
        if self.options.get("crash") == method:
            marker = self.options.get("crash_once")
            if marker is not None:
                try:  # created atomically: of reads running at once, one crashes
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    return
            how = self.options.get("crash_how", "exit")
            if how == "exit":
                sys.exit(3)
            if how == "os_exit":
                os._exit(4)
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "fork_exit":
                child = os.fork()
                if child == 0:
                    import time

                    time.sleep(120)
                    os._exit(0)
                with open(self.options["child_pid"], "w") as out:
                    out.write(str(child))
                os._exit(5)
            if how == "segfault":
                import ctypes

                ctypes.string_at(0)
            raise ValueError("unknown crash_how %r" % how)


class FaultyReader(DataSourceStreamReader):
    def __init__(self, faults):
        self.faults = faults

    def initialOffset(self):
        self.faults.at("initialOffset")
        return {"offset": 0}

    def latestOffset(self, start, limit):
        self.faults.at("latestOffset")
        return {"offset": start["offset"] + 2}

    def partitions(self, start, end):
        self.faults.at("partitions")
        return [InputPartition(i) for i in range(start["offset"], end["offset"])]

    def read(self, partition):
        self.faults.at("read")
        yield (partition.value,)

    def commit(self, end):
        self.faults.at("commit")

    def stop(self):
        self.faults.at("stop")


class FaultySimpleReader(SimpleDataSourceStreamReader):
    def __init__(self, faults):
        self.faults = faults

    def initialOffset(self):
        self.faults.at("initialOffset")
        return {"offset": 0}

    def read(self, start):
        self.faults.at("read")
        first = start["offset"]
        return iter([(first,), (first + 1,)]), {"offset": first + 2}

    def readBetweenOffsets(self, start, end):
        self.faults.at("readBetweenOffsets")
        return iter([(i,) for i in range(start["offset"], end["offset"])])

    def commit(self, end):
        self.faults.at("commit")


class FaultySource(DataSource):
    def __init__(self, options):
        super().__init__(options)
        _Faults(options).at("__init__")

    def schema(self):
        _Faults(self.options).at("schema")
        return "id INT"

    def streamReader(self, schema):
        faults = _Faults(self.options)
        faults.at("streamReader")
        if self.options.get("kind") == "simple":
            return super().streamReader(schema)
        return FaultyReader(faults)

    def simpleStreamReader(self, schema):
        return FaultySimpleReader(_Faults(self.options))


class NoSchemaSource(DataSource):
    """Implements nothing at all."""


class NoneReaderSource(DataSource):
    """streamReader() returns None."""

    def schema(self):
        return "id INT"

    def streamReader(self, schema):
        return None


class NotImplementedReader(DataSourceStreamReader):
    """Implements only read(), as in Spark's "method not implemented" test."""

    def read(self, partition):
        yield (0,)


class NotImplementedSource(DataSource):
    def schema(self):
        return "id INT"

    def streamReader(self, schema):
        return NotImplementedReader()


class NoReaderSource(DataSource):
    """Implements neither streamReader nor simpleStreamReader."""

    def schema(self):
        return "id INT"


class _NotJsonReader(DataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def latestOffset(self, start, limit):
        return {"at": datetime.datetime(2024, 1, 2, 3, 4, 5)}

    def read(self, partition):
        return iter([])


class NotJsonOffsetSource(DataSource):
    """latestOffset returns a datetime inside the offset."""

    def schema(self):
        return "id INT"

    def streamReader(self, schema):
        return _NotJsonReader()


class _StuckReader(SimpleDataSourceStreamReader):
    def initialOffset(self):
        return {"offset": 0}

    def read(self, start):
        if start["offset"] == 0:
            return iter([]), start  # no data: legal
        return iter([(1,), (2,)]), start  # rows without moving: an error


class StuckSource(DataSource):
    """A simple reader whose reads never advance the offset."""

    def schema(self):
        return "id INT"

    def simpleStreamReader(self, schema):
        return _StuckReader()


class _BadValueReader(SimpleDataSourceStreamReader):
    def __init__(self, bad):
        self.bad = bad

    def initialOffset(self):
        return {"offset": 0}

    def read(self, start):
        rows = [(0, "a"), (1, "b"), (2, "c"), self.bad]
        return iter(rows), {"offset": start["offset"] + len(rows)}


class BadValueSource(DataSource):
    """Row 3 of the first read is whatever option 'bad' selects."""

    BAD = {
        "string_in_int": ("x", "d"),
        "int_out_of_range": (2**31, "d"),
        "bool_in_int": (True, "d"),
        "short_row": (3,),
    }

    def schema(self):
        return "id INT, name STRING"

    def simpleStreamReader(self, schema):
        return _BadValueReader(self.BAD[self.options["bad"]])


class NameNotClassmethodSource(DataSource):
    def name(self):
        return "broken"
