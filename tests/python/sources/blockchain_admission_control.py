"""Admission control on a simulated blockchain, in the spirit of Spark's example
structured_blockchain_admission_control.py.

The chain has a fixed height; each micro-batch admits at most 20 blocks because the reader's
default read limit is ReadMaxRows(20), and reads everything left when the engine passes
ReadAllAvailable (a once trigger). Like the Spark example, the module imports SparkSession and
only builds one when run as a script, so it loads unchanged in a rivulet worker.
"""

import hashlib
from typing import Iterator, Sequence, Tuple

from pyspark.sql import SparkSession
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import ReadAllAvailable, ReadLimit, ReadMaxRows
from pyspark.sql.types import StructType


class BlockRange(InputPartition):
    """Blocks [first, stop) of the chain."""

    def __init__(self, first: int, stop: int):
        self.first = first
        self.stop = stop


class ChainReader(DataSourceStreamReader):
    HEIGHT = 10000  # blocks on the chain

    def initialOffset(self) -> dict:
        return {"block_number": 0}

    def getDefaultReadLimit(self) -> ReadLimit:
        return ReadMaxRows(20)

    def latestOffset(self, start: dict, limit: ReadLimit) -> dict:
        first = start["block_number"]
        if first >= self.HEIGHT:
            return start
        if isinstance(limit, ReadMaxRows):
            stop = min(first + limit.max_rows, self.HEIGHT)
        elif isinstance(limit, ReadAllAvailable):
            stop = self.HEIGHT
        else:
            stop = min(first + 20, self.HEIGHT)
        return {"block_number": stop}

    def partitions(self, start: dict, end: dict) -> Sequence[InputPartition]:
        first, stop = start["block_number"], end["block_number"]
        return [BlockRange(first, stop)] if first < stop else []

    def read(self, partition: InputPartition) -> Iterator[Tuple]:
        assert isinstance(partition, BlockRange)
        for number in range(partition.first, partition.stop):
            digest = hashlib.sha256(str(number).encode()).hexdigest()[:16]
            yield (number, digest, 1700000000 + 12 * number, number % 100 + 1)

    def commit(self, end: dict) -> None:
        pass


class ChainSource(DataSource):
    @classmethod
    def name(cls) -> str:
        return "blockchain_example"

    def schema(self) -> str:
        return "block_number INT, block_hash STRING, timestamp LONG, transaction_count INT"

    def streamReader(self, schema: StructType) -> DataSourceStreamReader:
        return ChainReader()


if __name__ == "__main__":
    spark = SparkSession.builder.appName("BlockchainAdmissionControl").getOrCreate()
    spark.dataSource.register(ChainSource)
    query = spark.readStream.format("blockchain_example").load().writeStream.format("console").start()
    query.awaitTermination(30)
    query.stop()
