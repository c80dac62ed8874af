"""A worker's stream writer calls (PySpark's DataSourceStreamWriter and
DataSourceStreamArrowWriter): the engine's side is src/sinks/python/python_sink.cc.

    CREATE_WRITER  {"schema": <Spark schema JSON>, "overwrite": bool} -> {"arrow": bool}
    WRITE          batch id, partition id, Arrow IPC stream -> the pickled commit message
    WRITER_COMMIT  batch id, pickled messages (partition order) -> nothing
    WRITER_ABORT   batch id, pickled messages, an empty field for a failed partition

write() gets an iterator of Rows, converted as collect() converts them, or for an Arrow
writer of pyarrow.RecordBatches. The rows (top-level) and the variants are of the source's
framework: real pyspark's Row and VariantVal when its classes come from there.
"""

import json
import pickle

CREATE_WRITER = 4
WRITE = 5
WRITER_COMMIT = 6
WRITER_ABORT = 7


def _is_arrow_writer(writer):
    return any(c.__name__ == "DataSourceStreamArrowWriter" for c in type(writer).__mro__)


class StreamWriterCalls:
    def __init__(self, worker):
        self.worker = worker
        self.writer = None
        self.arrow = False

    def handlers(self):
        return {
            CREATE_WRITER: self.create_writer,
            WRITE: self.write,
            WRITER_COMMIT: self.commit,
            WRITER_ABORT: self.abort,
        }

    def _errors(self):
        from rivulet import _worker

        return _worker

    def create_writer(self, fields):
        w = self._errors()
        worker = self.worker
        if worker.datasource is None:
            raise w.WorkerError(w.INTERNAL, "CREATE_WRITER before INIT")
        request = json.loads(fields[0])
        worker.role = "sink"
        schema = worker.api.schema_from_json(request["schema"])
        writer = worker._call("streamWriter", worker.datasource.streamWriter, schema,
                              bool(request.get("overwrite", False)))
        if writer is None or not callable(getattr(writer, "write", None)):
            raise w.WorkerError(
                w.USER_ERROR,
                "%s: [DATA_SOURCE_TYPE_MISMATCH] Expected streamWriter() to return a "
                "DataSourceStreamWriter, but got %s" % (worker._where(), type(writer).__name__),
            )
        self.writer, self.arrow = writer, _is_arrow_writer(writer)
        return [json.dumps({"arrow": self.arrow})]

    def _need_writer(self):
        if self.writer is None:
            w = self._errors()
            raise w.WorkerError(w.INTERNAL, "a writer call before CREATE_WRITER")

    def _rows(self, stream):
        """The rows of the IPC stream as write() takes them."""
        if self.arrow:
            import pyarrow

            reader = pyarrow.ipc.open_stream(stream)
            return iter(list(reader))
        from rivulet._arrow_ipc.reader import decode_stream
        from rivulet.sql.dataframe import _python_converter

        schema, rows = decode_stream(stream)
        create_row = getattr(self.worker.api.types, "_create_row", None)
        if create_row is None:
            from rivulet.sql.types import _create_row as create_row
        names = schema.names
        types = self.worker.api.types
        converters = [_python_converter(f.dataType, types) or (lambda x: x) for f in schema.fields]
        return (create_row(names, [c(v) for c, v in zip(converters, row)]) for row in rows)

    def write(self, fields):
        self._need_writer()
        rows = self._rows(bytes(fields[2]))
        message = self.worker._call("write", self.writer.write, rows)
        return [self._pickle(message)]

    def _pickle(self, message):
        try:
            import cloudpickle

            return cloudpickle.dumps(message)
        except ImportError:
            return pickle.dumps(message)

    def commit(self, fields):
        self._need_writer()
        messages = [pickle.loads(f) for f in fields[1:]]
        self.worker._call("commit", self.writer.commit, messages, int(fields[0]))
        return []

    def abort(self, fields):
        self._need_writer()
        messages = [pickle.loads(f) if f else None for f in fields[1:]]
        self.worker._call("abort", self.writer.abort, messages, int(fields[0]))
        return []
