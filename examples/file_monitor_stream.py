"""A PySpark Structured Streaming script: every file that lands in a directory is printed on
the console, with the query's progress kept in a checkpoint (run it again and it goes on
where it stopped). The only line that differs between rivulet and Apache Spark is the import.

    python examples/file_monitor_stream.py INBOX CHECKPOINT           # on rivulet
    python examples/file_monitor_stream.py INBOX CHECKPOINT --spark   # on PySpark

Ctrl-C stops the query between batches.
"""

import os
import sys

if "--spark" in sys.argv:
    from pyspark.sql import SparkSession
else:
    from rivulet import SparkSession

from file_monitor import FileMonitorSource  # noqa: E402 (beside this script)


def main():
    inbox, checkpoint = [a for a in sys.argv[1:] if not a.startswith("--")][:2]
    # Spark's Python workers import file_monitor by name, as rivulet's do.
    here = os.path.dirname(os.path.abspath(__file__))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [here] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    )

    spark = SparkSession.builder.appName("file-monitor").getOrCreate()
    spark.dataSource.register(FileMonitorSource)
    query = (
        spark.readStream.format("file_monitor")
        .option("path", inbox)
        .load()
        .writeStream.format("console")
        .option("truncate", "false")
        .option("checkpointLocation", checkpoint)
        .trigger(processingTime="500 milliseconds")
        .start()
    )
    try:
        query.awaitTermination()
    except KeyboardInterrupt:
        print("stopped; run again to go on from the checkpoint", file=sys.stderr)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
