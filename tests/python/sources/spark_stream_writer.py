"""A PySpark stream writer that makes each batch visible once, however often the engine
hands it over: write() puts a partition's rows in a hidden file and returns its name,
commit() renames the batch's files into place unless the batch is there already, abort()
removes them. Every commit and abort call is appended to calls.log.

Options: path (the output directory), fail_from (write() raises for a partition holding a
row whose value is at least this)."""

import json
import os
import uuid

from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, WriterCommitMessage


class FileMessage(WriterCommitMessage):
    def __init__(self, name, rows):
        self.name = name
        self.rows = rows


class CommittingWriter(DataSourceStreamWriter):
    def __init__(self, path, fail_from):
        self.path = path
        self.fail_from = fail_from
        os.makedirs(path, exist_ok=True)

    def write(self, iterator):
        rows = [row.asDict() for row in iterator]
        if self.fail_from is not None and any(r["value"] >= self.fail_from for r in rows):
            raise RuntimeError("write refused value %d" % max(r["value"] for r in rows))
        name = ".part-%s" % uuid.uuid4()
        with open(os.path.join(self.path, name), "w") as f:
            for row in rows:
                f.write(json.dumps(row, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return FileMessage(name, len(rows))

    def _log(self, line):
        with open(os.path.join(self.path, "calls.log"), "a") as f:
            f.write(line + "\n")

    def commit(self, messages, batchId):
        self._log("commit %d %s" % (batchId, [m.rows for m in messages]))
        done = os.path.join(self.path, "batch-%d" % batchId)
        if os.path.exists(done):  # committed before a crash: a no-op
            for m in messages:
                os.unlink(os.path.join(self.path, m.name))
            return
        os.makedirs(done + ".tmp", exist_ok=True)
        for i, m in enumerate(messages):
            os.rename(os.path.join(self.path, m.name), os.path.join(done + ".tmp", "%d.jsonl" % i))
        os.rename(done + ".tmp", done)

    def abort(self, messages, batchId):
        self._log("abort %d %s" % (batchId, [None if m is None else m.rows for m in messages]))
        for m in messages:
            if m is not None:
                os.unlink(os.path.join(self.path, m.name))


class CommittingSink(DataSource):
    @classmethod
    def name(cls):
        return "committing_sink"

    def streamWriter(self, schema, overwrite):
        fail_from = self.options.get("fail_from")
        return CommittingWriter(self.options["path"], None if fail_from is None else int(fail_from))
