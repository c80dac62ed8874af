"""A partitioned source whose reads prove they run at the same time: each read records its
process id in a rendezvous directory (option 'dir') and waits until 'expect' reads have
arrived, so reads run one after another would time out."""

import os
import time

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition


class RendezvousReader(DataSourceStreamReader):
    def __init__(self, options):
        self.directory = options["dir"]
        self.expect = int(options.get("expect", "2"))

    def initialOffset(self):
        return {"offset": 0}

    def latestOffset(self, start, limit):
        return {"offset": start["offset"] + self.expect}

    def partitions(self, start, end):
        return [InputPartition(i) for i in range(start["offset"], end["offset"])]

    def read(self, partition):
        open(os.path.join(self.directory, "%d-%d" % (partition.value, os.getpid())), "w").close()
        deadline = time.monotonic() + 20
        while len(os.listdir(self.directory)) < self.expect:
            if time.monotonic() > deadline:
                raise TimeoutError("only %d of %d reads ran at once" % (len(os.listdir(self.directory)), self.expect))
            time.sleep(0.01)
        yield (partition.value, os.getpid())


class RendezvousSource(DataSource):
    def schema(self):
        return "id INT, pid INT"

    def streamReader(self, schema):
        return RendezvousReader(self.options)
