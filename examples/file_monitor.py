"""A file monitor as a Python simple stream reader: every file that appears in a directory
becomes one row (name, content).

    rivulet run --source examples/file_monitor.py:FileMonitorSource -o path=incoming ...

This is the seed's file monitor made sound:
  * Order is deterministic: files are taken sorted by (change time in nanoseconds, name),
    so a replay reads the same files in the same order.
  * The offset stays small: it is the last (ctime_ns, name) read, not the list of every file
    ever seen. A file belongs to (start, end] when its key is above start's and at most end's.
  * The change time, not the modification time, orders files: renaming a file into the
    directory (the safe way to deliver one) sets its change time to now, while its
    modification time may be older than offsets already committed, and the file would be
    missed.
  * A file still being written is not taken: only files whose change time is at least
    `settle_ms` (default 500) in the past are read. A file changed after it was read
    (rewritten, chmod-ed) gets a new key and is read again.
  * `max_files` (optional) bounds the files of one batch.
"""

import os
import time

from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

_START = {"ctime_ns": -1, "name": ""}


def _key(offset):
    return (offset["ctime_ns"], offset["name"])


class FileMonitorReader(SimpleDataSourceStreamReader):
    def __init__(self, path, settle_ms, max_files):
        self.path = path
        self.settle_ns = settle_ms * 1_000_000
        self.max_files = max_files

    def _files_after(self, start_key, end_key=None):
        """(ctime_ns, name) of the settled files with start_key < key <= end_key, sorted."""
        horizon = time.time_ns() - self.settle_ns
        found = []
        with os.scandir(self.path) as entries:
            for entry in entries:
                if not entry.is_file() or entry.name.startswith("."):
                    continue
                key = (entry.stat().st_ctime_ns, entry.name)
                if key <= start_key or (end_key is not None and key > end_key):
                    continue
                if end_key is None and key[0] > horizon:
                    continue  # may still be written to
                found.append(key)
        found.sort()
        return found

    def _rows(self, keys):
        rows = []
        for _, name in keys:
            with open(os.path.join(self.path, name), "r", encoding="utf-8", errors="replace") as f:
                rows.append((name, f.read()))
        return rows

    def initialOffset(self):
        return dict(_START)

    def read(self, start):
        keys = self._files_after(_key(start))
        if self.max_files is not None:
            keys = keys[: self.max_files]
        if not keys:
            return iter([]), start
        end = {"ctime_ns": keys[-1][0], "name": keys[-1][1]}
        return iter(self._rows(keys)), end

    def readBetweenOffsets(self, start, end):
        return iter(self._rows(self._files_after(_key(start), _key(end))))


class FileMonitorSource(DataSource):
    """Options: path (required), settle_ms (default 500), max_files (default: no limit)."""

    @classmethod
    def name(cls):
        return "file_monitor"

    def schema(self):
        return "name STRING NOT NULL, content STRING"

    def simpleStreamReader(self, schema):
        if "path" not in self.options:
            raise ValueError("file_monitor needs the option path=DIRECTORY")
        max_files = self.options.get("max_files")
        return FileMonitorReader(
            self.options["path"],
            int(self.options.get("settle_ms", "500")),
            int(max_files) if max_files is not None else None,
        )
