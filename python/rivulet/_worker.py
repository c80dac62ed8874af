"""The worker process that runs one Python data source for the engine (started as
``python -m rivulet.worker --fds IN,OUT``; see rivulet/worker.py).

The engine talks to the worker over two pipes on the file descriptors IN (requests) and OUT
(replies), never over stdout: whatever the source prints goes to the worker's stdout and
stderr, which the engine forwards to its log under the source's name. The protocol is in
docs/format/worker-protocol.md; in short, a request is a function id and length-prefixed
fields, a reply a status and fields, offsets cross as the source's own ``json.dumps`` text,
partitions as pickles and rows as an Arrow IPC stream.

A worker plays one of two roles: the planning worker creates the reader and runs every
method except a partitioned reader's ``read(partition)``, which runs in read workers, one
reader instance each (the reader's ``read`` must not depend on planning-side state, as in
Spark).

An exception in a source method is sent back with its traceback and the worker carries on;
the engine decides what fails. ``sys.exit`` and fatal signals end the worker, and the engine
sees its pipe close.
"""

import collections.abc
import json
import os
import pickle
import struct
import sys

# Function ids. Those Spark's runner has keep Spark's numbers.
INIT = 1
CREATE_READER = 2
PING = 3
INITIAL_OFFSET = 884
PARTITIONS = 886
COMMIT = 887
PREPARE_FOR_TRIGGER_AVAILABLE_NOW = 889
LATEST_OFFSET = 890
REPORT_LATEST_OFFSET = 892
STOP = 893
READ_PARTITION = 894
SIMPLE_READ = 895
READ_BETWEEN_OFFSETS = 896

STATUS_OK = 0
STATUS_ERROR = 1

# Error kinds in an error reply; the engine maps each to a status code.
USER_ERROR = "user_code"  # the source raised, or returned something invalid
NOT_IMPLEMENTED = "not_implemented"  # a method the source does not implement
NOT_FOUND = "not_found"  # the source's file, module or class does not exist
INVALID_ARGUMENT = "invalid_argument"  # the request or the source's definition is wrong
INTERNAL = "internal"  # a bug in the worker or the protocol

_HEADER = struct.Struct("<II")
# Rows per Arrow record batch, Spark's spark.sql.execution.arrow.maxRecordsPerBatch default.
_ROWS_PER_BATCH = 10000
_LENGTH = struct.Struct("<I")


class WorkerError(Exception):
    """An error to reply with: a kind and a complete message."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


# ---------------------------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------------------------


class Channel:
    """Frames on a pair of file descriptors: u32 length, then the body (u32 code, u32 field
    count, then each field as u32 length and bytes); integers little-endian."""

    def __init__(self, in_fd, out_fd):
        self._in = os.fdopen(in_fd, "rb", buffering=1 << 16)
        self._out = os.fdopen(out_fd, "wb", buffering=1 << 16)

    def _read_exact(self, n):
        data = self._in.read(n)
        if data is None or len(data) != n:
            return None
        return data

    def receive(self):
        """(code, [fields]), or None at end of input."""
        head = self._read_exact(_LENGTH.size)
        if head is None:
            return None
        (length,) = _LENGTH.unpack(head)
        body = self._read_exact(length)
        if body is None or length < _HEADER.size:
            raise WorkerError(INTERNAL, "truncated request frame")
        code, count = _HEADER.unpack_from(body, 0)
        fields, pos = [], _HEADER.size
        for _ in range(count):
            if pos + _LENGTH.size > length:
                raise WorkerError(INTERNAL, "request field header past the end of its frame")
            (n,) = _LENGTH.unpack_from(body, pos)
            pos += _LENGTH.size
            if pos + n > length:
                raise WorkerError(INTERNAL, "request field past the end of its frame")
            fields.append(body[pos : pos + n])
            pos += n
        if pos != length:
            raise WorkerError(INTERNAL, "%d stray bytes after the request's fields" % (length - pos))
        return code, fields

    def send(self, code, fields):
        """A field is a str, a bytes-like object, or a list of bytes-like parts that make
        one field (written one after the other, never joined: a pyarrow buffer goes to the
        pipe as it is)."""
        fields = [
            [f.encode("utf-8")] if isinstance(f, str) else f if isinstance(f, list) else [f]
            for f in fields
        ]
        sizes = [sum(map(_nbytes, parts)) for parts in fields]
        length = _HEADER.size + _LENGTH.size * len(fields) + sum(sizes)
        out = self._out
        out.write(_LENGTH.pack(length))
        out.write(_HEADER.pack(code, len(fields)))
        for parts, size in zip(fields, sizes):
            out.write(_LENGTH.pack(size))
            for part in parts:
                out.write(part)
        out.flush()


def _nbytes(part):
    """A bytes-like object's size in bytes (len() of a memoryview or pyarrow Buffer)."""
    return part.nbytes if isinstance(part, memoryview) else len(part)


# ---------------------------------------------------------------------------------------------
# Loading the source class
# ---------------------------------------------------------------------------------------------


def _is_datasource_class(obj):
    if not isinstance(obj, type):
        return False
    return any(
        base.__name__ == "DataSource"
        and base.__module__ in ("rivulet.sql.datasource", "pyspark.sql.datasource")
        for base in obj.__mro__[1:]
    )


def _load_file(path):
    """Imports a source file under a module name derived from its file name, the same in
    every worker, so that objects pickled by reference in one worker unpickle in another."""
    import importlib.util

    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise WorkerError(NOT_FOUND, "source file %s does not exist" % path)
    stem = os.path.splitext(os.path.basename(path))[0]
    name = stem if stem.isidentifier() else "_rivulet_source"
    existing = sys.modules.get(name)
    if existing is not None:
        if os.path.abspath(getattr(existing, "__file__", "") or "") == path:
            return existing
        name = "_rivulet_source_" + (stem if stem.isidentifier() else "file")
    # Like a script, the file sees the modules beside it.
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _datasource_classes(module):
    return [
        obj
        for obj in vars(module).values()
        if _is_datasource_class(obj) and obj.__module__ == module.__name__
    ]


def _find_by_name(wanted, python_path):
    """The DataSource subclass whose name() matches ``wanted`` case-insensitively, among the
    modules directly under the ``python_path`` directories. Returns (class, "module:Class")."""
    import importlib

    matches, failures, searched = [], [], []
    for directory in python_path:
        try:
            entries = sorted(os.listdir(directory))
        except OSError as e:
            failures.append("%s: %s" % (directory, e.strerror))
            continue
        for entry in entries:
            full = os.path.join(directory, entry)
            if entry.endswith(".py"):
                module_name = entry[:-3]
            elif os.path.isfile(os.path.join(full, "__init__.py")):
                module_name = entry
            else:
                continue
            if not module_name.isidentifier() or module_name.startswith("_"):
                continue
            searched.append(module_name)
            try:
                module = importlib.import_module(module_name)
            except Exception as e:  # a module that does not import cannot hold the source
                failures.append("%s: %s: %s" % (module_name, type(e).__name__, e))
                continue
            for cls in _datasource_classes(module):
                try:
                    name = _source_name(cls)
                except WorkerError as e:  # a broken class cannot be the one asked for
                    failures.append("%s.%s: %s" % (module_name, cls.__name__, e.message))
                    continue
                if isinstance(name, str) and name.lower() == wanted.lower():
                    matches.append((cls, "%s:%s" % (module_name, cls.__qualname__)))
    if len(matches) > 1:
        raise WorkerError(
            INVALID_ARGUMENT,
            "data source name '%s' is ambiguous: %s"
            % (wanted, ", ".join(ref for _, ref in matches)),
        )
    if not matches:
        message = "no data source named '%s' in %s (searched modules: %s)" % (
            wanted,
            ", ".join(python_path) or "an empty python path",
            ", ".join(searched) or "none",
        )
        if failures:
            message += "; could not import: " + "; ".join(failures)
        raise WorkerError(NOT_FOUND, message)
    return matches[0]


def _resolve_source(ref, python_path):
    """Returns (class, reference) for "file.py:Class", "package.module:Class", "file.py"
    or a short name. The reference names the class for the other workers."""
    import importlib

    location, sep, class_name = ref.rpartition(":")
    if not sep:
        if ref.endswith(".py"):
            module = _load_file(ref)
            classes = _datasource_classes(module)
            if len(classes) != 1:
                raise WorkerError(
                    INVALID_ARGUMENT,
                    "%s defines %d DataSource classes (%s); name one as %s:ClassName"
                    % (ref, len(classes), ", ".join(c.__name__ for c in classes) or "none", ref),
                )
            return classes[0], "%s:%s" % (os.path.abspath(ref), classes[0].__qualname__)
        return _find_by_name(ref, python_path)
    if location.endswith(".py") or os.sep in location:
        module = _load_file(location)
        where = location
        location = os.path.abspath(location)
    else:
        try:
            module = importlib.import_module(location)
        except ModuleNotFoundError as e:
            if e.name and location.startswith(e.name):
                raise WorkerError(NOT_FOUND, "no module named '%s'" % location) from None
            raise
        where = "module '%s'" % location
    obj = module
    for part in class_name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise WorkerError(NOT_FOUND, "%s has no class '%s'" % (where, class_name))
    if not _is_datasource_class(obj):
        raise WorkerError(
            INVALID_ARGUMENT,
            "[DATA_SOURCE_TYPE_MISMATCH] Expected a subclass of DataSource, but got %s"
            % (obj.__name__ if isinstance(obj, type) else type(obj).__name__),
        )
    return obj, "%s:%s" % (location, class_name)


def _load_pickled_class(data):
    try:
        import cloudpickle  # noqa: F401  (its reducers must be importable to unpickle)
    except ImportError:
        raise WorkerError(
            INVALID_ARGUMENT,
            "the source class was sent as cloudpickle bytes, but the worker's interpreter "
            "(%s) has no cloudpickle: install it (Debian: apt-get install "
            "python3-cloudpickle; otherwise pip install cloudpickle) or set RIVULET_PYTHON "
            "to an interpreter that has it" % sys.executable,
        ) from None
    cls = pickle.loads(data)
    if not _is_datasource_class(cls):
        raise WorkerError(
            INVALID_ARGUMENT,
            "[DATA_SOURCE_TYPE_MISMATCH] Expected a subclass of DataSource, but got %s"
            % (cls.__name__ if isinstance(cls, type) else type(cls).__name__),
        )
    return cls


def _source_name(cls):
    name = getattr(cls, "name", None)
    if getattr(name, "__self__", None) is not cls:
        raise WorkerError(
            INVALID_ARGUMENT,
            "[DATA_SOURCE_TYPE_MISMATCH] Expected name() of %s to be a classmethod, but got "
            "%s" % (cls.__name__, type(name).__name__),
        )
    try:
        return name()
    except Exception as e:
        raise WorkerError(
            USER_ERROR, "%s.name() raised an exception:\n%s" % (cls.__name__, _user_traceback(e))
        ) from None


# ---------------------------------------------------------------------------------------------
# The API of the framework the source was written against
# ---------------------------------------------------------------------------------------------


def _as_rivulet_rows(value):
    """Named rows of another Row class (real pyspark's) as rivulet Rows, recursively, so that
    their fields are matched by name."""
    from rivulet.sql.types import Row

    if isinstance(value, tuple):
        names = getattr(value, "__fields__", None)
        if names is not None and not isinstance(value, Row):
            return Row(**{n: _as_rivulet_rows(v) for n, v in zip(names, value)})
        if isinstance(value, Row):
            return value
        return tuple(_as_rivulet_rows(v) for v in value)
    if isinstance(value, list):
        return [_as_rivulet_rows(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_rivulet_rows(v) for k, v in value.items()}
    return value


class _Api:
    """The types, options dict and read limits of the framework the source subclasses:
    real pyspark when its base classes come from there, rivulet otherwise."""

    def __init__(self, cls):
        uses_pyspark = any(b.__module__.startswith("pyspark.") for b in cls.__mro__)
        self.foreign_rows = uses_pyspark
        import rivulet.sql.streaming.datasource as limits
        import rivulet.sql.types as types
        from rivulet.sql.datasource import CaseInsensitiveDict

        self.types = types
        self.options_class = CaseInsensitiveDict
        self.limits = {name: getattr(limits, name) for name in limits._LIMITS}
        if uses_pyspark:
            import pyspark.sql.types as pyspark_types

            self.types = pyspark_types
            try:
                from pyspark.sql.datasource import CaseInsensitiveDict as options_class

                self.options_class = options_class
            except ImportError:
                pass
            try:
                import pyspark.sql.streaming.datasource as pyspark_limits

                for name in self.limits:
                    if hasattr(pyspark_limits, name):
                        self.limits[name] = getattr(pyspark_limits, name)
            except ImportError:
                pass

    def schema_from_json(self, text):
        return self.types._parse_datatype_json_string(text)


# ---------------------------------------------------------------------------------------------
# The worker
# ---------------------------------------------------------------------------------------------


def _is_not_implemented(e):
    getter = getattr(e, "getCondition", None) or getattr(e, "getErrorClass", None)
    return isinstance(e, NotImplementedError) and callable(getter) and getter() == "NOT_IMPLEMENTED"


def _user_traceback(e):
    """The traceback of a source's exception, without the worker's own frames."""
    import traceback

    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(e), e, tb)).rstrip("\n")


def _is_arrow_batch(obj):
    cls = type(obj)
    return cls.__name__ == "RecordBatch" and cls.__module__.startswith("pyarrow")


def _takes_no_arguments(method):
    """True for Spark 4.0's ``latestOffset(self)``."""
    func = getattr(method, "__func__", method)
    code = getattr(func, "__code__", None)
    if code is not None and getattr(method, "__self__", None) is not None:
        varargs = code.co_flags & 0x04
        return code.co_argcount == 1 and not varargs and not code.co_kwonlyargcount
    import inspect

    try:
        return len(inspect.signature(method).parameters) == 0
    except (TypeError, ValueError):
        return False


class Worker:
    def __init__(self, channel):
        self.channel = channel
        self.name = None  # the source's name(), once known
        self.role = "source"  # or "sink", once asked for a writer
        self.datasource = None
        self.api = None
        self.reader = None
        self.reader_kind = None
        self.schema = None  # rivulet StructType the rows are checked against
        self._arrow_schema = None  # (pyarrow Schema, schema message), once a read needs it
        self.legacy_latest_offset = False
        self.use_cloudpickle = False
        self.handlers = {
            INIT: self.init,
            CREATE_READER: self.create_reader,
            PING: self.ping,
            INITIAL_OFFSET: self.initial_offset,
            LATEST_OFFSET: self.latest_offset,
            REPORT_LATEST_OFFSET: self.report_latest_offset,
            PARTITIONS: self.partitions,
            COMMIT: self.commit,
            PREPARE_FOR_TRIGGER_AVAILABLE_NOW: self.prepare_for_trigger_available_now,
            STOP: self.stop,
            READ_PARTITION: self.read_partition,
            SIMPLE_READ: self.simple_read,
            READ_BETWEEN_OFFSETS: self.read_between_offsets,
        }
        from rivulet._stream_writer import StreamWriterCalls

        self.handlers.update(StreamWriterCalls(self).handlers())

    # -- helpers ----------------------------------------------------------------------------

    def _where(self):
        if self.name is None:
            return "python " + self.role
        return "%s '%s'" % (self.role, self.name)

    def _call(self, method, fn, *args):
        """Runs a source method, turning its exceptions into error replies."""
        try:
            return fn(*args)
        except WorkerError:
            raise
        except Exception as e:
            if _is_not_implemented(e):
                raise WorkerError(NOT_IMPLEMENTED, "%s: %s" % (self._where(), e)) from None
            raise WorkerError(
                USER_ERROR,
                "%s: %s raised an exception:\n%s" % (self._where(), method, _user_traceback(e)),
            ) from None

    def _dump_offset(self, method, offset):
        try:
            return json.dumps(offset, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise WorkerError(
                USER_ERROR,
                "%s: %s returned an offset that is not JSON-serialisable (%s): %s"
                % (self._where(), method, type(offset).__name__, e),
            ) from None

    def _load_offset(self, field):
        try:
            return json.loads(field)
        except ValueError as e:
            raise WorkerError(INVALID_ARGUMENT, "offset %r is not JSON: %s" % (field, e)) from None

    def _need_reader(self, kind=None):
        if self.reader is None:
            raise WorkerError(INTERNAL, "no reader: CREATE_READER must come first")
        if kind is not None and self.reader_kind != kind:
            raise WorkerError(INTERNAL, "the reader is a %s reader, not a %s one" % (self.reader_kind, kind))

    def _materialize(self, method, result, any_iterable=False):
        """The rows of a read as a list; iterating runs the source's generator, so errors
        raised there are the source's. As in Spark, a partition's read() (and a replay's
        readBetweenOffsets) returns an iterator (a generator, iter(...)), and a list, None
        or anything else is refused; a simple reader's read() may give any iterable."""
        if any_iterable and isinstance(result, collections.abc.Iterable):
            return self._call(method, list, iter(result))
        if not isinstance(result, collections.abc.Iterator):
            raise WorkerError(
                USER_ERROR,
                "%s: [DATA_SOURCE_INVALID_RETURN_TYPE] Unsupported return type ('%s') from "
                "Python data source '%s'. Expected types: iterator. (from %s)"
                % (self._where(), type(result).__name__, self.name, method),
            )
        return self._call(method, list, result)

    def _check_rows(self, method, items):
        """Spark's checks of each row a read returns: a tuple, list or Row of the schema's
        width, a named Row with the schema's field names (matched by name). True when every
        row is a plain tuple or list (the common case)."""
        width = len(self.schema.fields)
        if set(map(type, items)) <= {tuple, list} and set(map(len, items)) == {width}:
            return True
        names = self.schema.fieldNames()
        for i, row in enumerate(items):
            if hasattr(row, "__len__") and len(row) != width:
                raise self._schema_mismatch(method, i, width, len(row))
            if not isinstance(row, (list, tuple)):
                raise WorkerError(
                    USER_ERROR,
                    "%s: [DATA_SOURCE_INVALID_RETURN_TYPE] Unsupported return type ('%s') from "
                    "Python data source '%s'. Expected types: tuple, list, "
                    "`pyspark.sql.types.Row`, `pyarrow.RecordBatch`. (row %d of %s)"
                    % (self._where(), type(row).__name__, self.name, i, method),
                )
            fields = getattr(row, "__fields__", None)
            if fields is not None and set(fields) != set(names):
                raise self._schema_mismatch(method, i, names, list(fields))

    def _with_rivulet_rows(self, items, plain):
        """The rows with another Row class's rows (real pyspark's) made rivulet's. Under a
        schema of atomic types only a row itself can be one, never a value in it: rows that
        are all plain tuples and lists (`plain`, as _check_rows found) pass as they are, and
        otherwise only the named rows are converted."""
        from rivulet.sql.types import AtomicType

        if not all(isinstance(f.dataType, AtomicType) for f in self.schema.fields):
            return [_as_rivulet_rows(row) for row in items]
        if plain:
            return items
        return [r if type(r) in (tuple, list) else _as_rivulet_rows(r) for r in items]

    def _schema_mismatch(self, method, row, expected, actual, what="row"):
        return WorkerError(
            USER_ERROR,
            "%s: [DATA_SOURCE_RETURN_SCHEMA_MISMATCH] Return schema mismatch in the result "
            "from '%s' method. Expected: %s columns, Found: %s columns. Make sure the returned "
            "values match the required output schema. (%s %d)"
            % (self._where(), method, expected, actual, what, row),
        )

    def _encode(self, method, items):
        """(Arrow IPC stream bytes, row count) for the rows of a read; empty bytes for no
        rows."""
        if not items:
            return b"", 0
        if _is_arrow_batch(items[0]):
            return self._encode_arrow_batches(method, items)
        from rivulet._arrow_ipc import writer as arrow_ipc

        plain = self._check_rows(method, items)
        if self.api.foreign_rows:
            items = self._with_rivulet_rows(items, plain)
        chunks = [items[i : i + _ROWS_PER_BATCH] for i in range(0, len(items), _ROWS_PER_BATCH)]
        try:
            data = arrow_ipc.encode_stream_batches(chunks, self.schema, source_rules=True)
        except (TypeError, ValueError, OverflowError) as e:
            raise WorkerError(
                USER_ERROR,
                "%s: %s returned a value that does not fit the schema: %s"
                % (self._where(), method, e),
            ) from None
        return data, len(items)

    def _expected_arrow_schema(self):
        """The Arrow schema a read's RecordBatches must have, as pyarrow reads the schema
        message rivulet writes for the Spark schema (Spark's to_arrow_schema, UTC), and
        that message's bytes, which start the stream the batches are passed on in."""
        if self._arrow_schema is None:
            import pyarrow as pa
            from rivulet._arrow_ipc.writer import _schema_message

            message = _schema_message(self.schema)
            self._arrow_schema = (pa.ipc.read_schema(pa.py_buffer(message)), message)
        return self._arrow_schema

    def _encode_arrow_batches(self, method, batches):
        """A read's pyarrow RecordBatches passed on as they are: each batch's own IPC
        message after the schema's, with no per-row work. As in Spark each must have the
        schema's Arrow types, names, order and nullability (DATA_SOURCE_RETURN_SCHEMA_MISMATCH
        with Spark's text otherwise); Spark checks only the first batch and leaves a later
        odd one to fail in the JVM, rivulet checks each. Returns the stream as a list of
        buffers, written to the pipe without being joined."""
        import pyarrow as pa
        from rivulet._arrow_ipc.format import _EOS

        expected, schema_message = self._expected_arrow_schema()
        width = len(expected)
        parts = [schema_message]
        rows = 0
        for i, batch in enumerate(batches):
            if not isinstance(batch, pa.RecordBatch):
                raise WorkerError(
                    USER_ERROR,
                    "%s: [DATA_SOURCE_INVALID_RETURN_TYPE] %s returned a pyarrow RecordBatch "
                    "and then %s (item %d); a read returns batches or rows, not both"
                    % (self._where(), method, type(batch).__name__, i),
                )
            if not batch.schema.equals(expected):
                names = batch.schema.names
                if batch.num_columns != width:
                    found = (width, batch.num_columns)
                elif set(expected.names) - set(names):
                    found = (expected.names, names)
                else:
                    found = (expected, batch.schema)
                raise self._schema_mismatch(method, i, *found, what="batch")
            parts.append(batch.serialize())
            rows += batch.num_rows
        parts.append(_EOS)
        return parts, rows

    # -- handlers ---------------------------------------------------------------------------

    def ping(self, fields):
        """Answers with the worker's pid: it is up and serving. No fields."""
        return [str(os.getpid())]

    def init(self, fields):
        """Loads the source class and builds the DataSource. Fields: the config JSON, then
        (optionally) the class as cloudpickle bytes."""
        config = json.loads(fields[0])
        python_path = config.get("python_path", [])
        for entry in python_path:
            if entry not in sys.path:
                sys.path.insert(0, entry)
        import rivulet

        rivulet._unload_shadowed_pyspark_shim()
        rivulet.install_pyspark_shim()
        try:
            if len(fields) > 1 and fields[1]:
                cls, ref = _load_pickled_class(fields[1]), None
                self.use_cloudpickle = True
            else:
                cls, ref = _resolve_source(config["source"], python_path)
        except WorkerError:
            raise
        except Exception as e:
            raise WorkerError(
                USER_ERROR,
                "python source '%s' failed to load:\n%s"
                % (config.get("source", "<pickled class>"), _user_traceback(e)),
            ) from None
        self.name = _source_name(cls)
        self.api = _Api(cls)
        options = self.api.options_class(config.get("options", {}))
        self.datasource = self._call("__init__", cls, options)
        reply = {
            "name": self.name,
            "reference": ref,
            "pid": os.getpid(),
            "executable": sys.executable,
            "python_version": "%d.%d.%d" % sys.version_info[:3],
        }
        if config.get("need_schema", True):
            try:
                schema = self._call("schema", self.datasource.schema)
            except WorkerError as e:
                if e.kind != NOT_IMPLEMENTED:
                    raise
                raise WorkerError(
                    USER_ERROR,
                    "[PYTHON_DATA_SOURCE_ERROR] Failed to create Python data source instance: "
                    "%s" % e.message,
                ) from None
            if isinstance(schema, str):
                reply["schema_ddl"] = schema
            elif type(schema).__name__ == "StructType" and hasattr(schema, "json"):
                reply["schema_json"] = schema.json()
            else:
                raise WorkerError(
                    USER_ERROR,
                    "%s: [DATA_SOURCE_TYPE_MISMATCH] Expected schema() to return a StructType "
                    "or a DDL string, but got %s" % (self._where(), type(schema).__name__),
                )
        return [json.dumps(reply)]

    def create_reader(self, fields):
        """Fields: {"kind": "stream" | "simple", "schema": <Spark schema JSON>}."""
        if self.datasource is None:
            raise WorkerError(INTERNAL, "CREATE_READER before INIT")
        request = json.loads(fields[0])
        kind = request["kind"]
        if kind not in ("stream", "simple"):
            raise WorkerError(INTERNAL, "unknown reader kind %r" % kind)
        import rivulet.sql.types

        self.schema = rivulet.sql.types._parse_datatype_json_string(request["schema"])
        source_schema = self.api.schema_from_json(request["schema"])
        method = "streamReader" if kind == "stream" else "simpleStreamReader"
        reader = self._call(method, getattr(self.datasource, method), source_schema)
        if reader is None:
            # Spark fails on the first call to it: latestOffset or initialOffset.
            raise WorkerError(
                USER_ERROR,
                "[PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR] Failed when Python streaming data "
                "source perform %s: %s: %s() returned None, expected a %s"
                % ("checkSupportedFeatures" if kind == "stream" else "initialOffset",
                   self._where(), method,
                   "DataSourceStreamReader" if kind == "stream" else "SimpleDataSourceStreamReader"),
            )
        self.reader, self.reader_kind = reader, kind
        reply = {"available_now": callable(getattr(reader, "prepareForTriggerAvailableNow", None))}
        if kind == "stream":
            self.legacy_latest_offset = _takes_no_arguments(reader.latestOffset)
            reply["legacy_latest_offset"] = self.legacy_latest_offset
            limit = self._call("getDefaultReadLimit", reader.getDefaultReadLimit)
            from rivulet.sql.streaming.datasource import _limit_to_json_value

            try:
                reply["default_read_limit"] = _limit_to_json_value(limit)
            except TypeError as e:
                raise WorkerError(
                    USER_ERROR, "%s: getDefaultReadLimit returned %s" % (self._where(), e)
                ) from None
        return [json.dumps(reply)]

    def initial_offset(self, fields):
        self._need_reader()
        offset = self._call("initialOffset", self.reader.initialOffset)
        return [self._dump_offset("initialOffset", offset)]

    def latest_offset(self, fields):
        """Fields: start offset, read limit JSON. Readers with Spark 4.0's zero-argument
        latestOffset() get neither. Reply: the offset, then what reportLatestOffset()
        reports, if anything: the engine asks for both in each trigger, one after the
        other, so one round trip does."""
        self._need_reader("stream")
        if self.legacy_latest_offset:
            offset = self._call("latestOffset", self.reader.latestOffset)
        else:
            start = self._load_offset(fields[0])
            from rivulet.sql.streaming.datasource import _limit_from_json_value

            try:
                limit = _limit_from_json_value(json.loads(fields[1]), self.api.limits)
            except (ValueError, TypeError) as e:
                raise WorkerError(INVALID_ARGUMENT, "read limit %r: %s" % (fields[1], e)) from None
            offset = self._call("latestOffset", self.reader.latestOffset, start, limit)
        return [self._dump_offset("latestOffset", offset)] + self.report_latest_offset(fields)

    def report_latest_offset(self, fields):
        self._need_reader("stream")
        offset = self._call("reportLatestOffset", self.reader.reportLatestOffset)
        if offset is None:
            return []
        return [self._dump_offset("reportLatestOffset", offset)]

    def partitions(self, fields):
        self._need_reader("stream")
        start, end = self._load_offset(fields[0]), self._load_offset(fields[1])
        result = self._call("partitions", self.reader.partitions, start, end)
        partitions = self._call("partitions", list, result if result is not None else [])
        return [self._pickle_partition(i, p) for i, p in enumerate(partitions)]

    def _pickle_partition(self, index, partition):
        if not self.use_cloudpickle:
            try:
                return pickle.dumps(partition, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, AttributeError, TypeError):
                pass  # a class defined inside a function: cloudpickle pickles it by value
        try:
            import cloudpickle
        except ImportError:
            raise WorkerError(
                USER_ERROR,
                "%s: partition %d (%s) cannot be pickled by reference, and the worker's "
                "interpreter has no cloudpickle to pickle it by value: define the partition "
                "class at module level, or install cloudpickle (Debian: apt-get install "
                "python3-cloudpickle)" % (self._where(), index, type(partition).__name__),
            ) from None
        try:
            return cloudpickle.dumps(partition, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:
            raise WorkerError(
                USER_ERROR,
                "%s: partition %d (%s) is not picklable: %s"
                % (self._where(), index, type(partition).__name__, e),
            ) from None

    def commit(self, fields):
        self._need_reader()
        end = self._load_offset(fields[0])
        self._call("commit", self.reader.commit, end)
        return []

    def prepare_for_trigger_available_now(self, fields):
        self._need_reader()
        prepare = getattr(self.reader, "prepareForTriggerAvailableNow", None)
        if not callable(prepare):
            raise WorkerError(
                NOT_IMPLEMENTED,
                "%s: the reader does not support Trigger.AvailableNow "
                "(it does not mix in SupportsTriggerAvailableNow)" % self._where(),
            )
        self._call("prepareForTriggerAvailableNow", prepare)
        return []

    def stop(self, fields):
        self._need_reader()
        stop = getattr(self.reader, "stop", None)  # simple readers have none
        if callable(stop):
            self._call("stop", stop)
        return []

    def read_partition(self, fields):
        """Fields: one pickled partition. Reply: the rows as Arrow IPC stream bytes."""
        self._need_reader("stream")
        try:
            partition = pickle.loads(fields[0])
        except Exception as e:
            raise WorkerError(
                USER_ERROR, "%s: a partition does not unpickle: %s: %s" % (self._where(), type(e).__name__, e)
            ) from None
        result = self._call("read", self.reader.read, partition)
        data, _ = self._encode("read", self._materialize("read", result))
        return [data]

    def simple_read(self, fields):
        """Fields: start offset. Reply: end offset, rows as Arrow IPC stream bytes."""
        self._need_reader("simple")
        start = self._load_offset(fields[0])
        result = self._call("read", self.reader.read, start)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise WorkerError(
                USER_ERROR,
                "%s: [DATA_SOURCE_INVALID_RETURN_TYPE] read(start) must return a pair "
                "(iterator of rows, end offset), got %s" % (self._where(), type(result).__name__),
            )
        rows, end = result
        end_text = self._dump_offset("read", end)
        items = self._materialize("read", rows, any_iterable=True)
        data, count = self._encode("read", items)
        start_text = json.dumps(start)
        if count and end_text == start_text:
            raise WorkerError(
                USER_ERROR,
                "%s: [SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE] read(start) returned %d "
                "row(s) but its end offset %s equals its start offset %s; a read that "
                "returns rows must advance the offset" % (self._where(), count, end_text, start_text),
            )
        return [end_text, data]

    def read_between_offsets(self, fields):
        """Fields: start, end offsets. Reply: the rows as Arrow IPC stream bytes."""
        self._need_reader("simple")
        start, end = self._load_offset(fields[0]), self._load_offset(fields[1])
        result = self._call("readBetweenOffsets", self.reader.readBetweenOffsets, start, end)
        data, _ = self._encode("readBetweenOffsets", self._materialize("readBetweenOffsets", result))
        return [data]

    # -- loop -------------------------------------------------------------------------------

    def serve(self):
        while True:
            try:
                request = self.channel.receive()
            except WorkerError as e:
                self.channel.send(STATUS_ERROR, [e.kind, e.message])
                return 2
            if request is None:
                return 0
            code, fields = request
            handler = self.handlers.get(code)
            try:
                if handler is None:
                    raise WorkerError(INTERNAL, "[UNSUPPORTED_OPERATION] unknown function id %d" % code)
                reply = handler(fields)
            except WorkerError as e:
                self.channel.send(STATUS_ERROR, [e.kind, e.message])
                continue
            except (IndexError, KeyError, ValueError) as e:
                # A malformed request (a missing field, bad JSON): the engine's bug, not the
                # source's, whose exceptions arrive here as WorkerErrors.
                self.channel.send(
                    STATUS_ERROR,
                    [INTERNAL, "malformed request %d: %s: %s" % (code, type(e).__name__, e)],
                )
                continue
            except Exception:
                import traceback

                self.channel.send(
                    STATUS_ERROR,
                    [INTERNAL, "request %d failed in the worker:\n%s" % (code, traceback.format_exc())],
                )
                continue
            self.channel.send(STATUS_OK, reply)


def _parse_fds(argv):
    if len(argv) == 2 and argv[0] == "--fds":
        parts = argv[1].split(",")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return int(parts[0]), int(parts[1])
    raise SystemExit("usage: python -m rivulet.worker --fds IN,OUT")


# How long a worker whose engine is gone may take to end by itself before it is ended.
_ENGINE_GONE_GRACE_S = 5.0


def _exit_with_the_engine(in_fd):
    """A worker must not outlive its engine, even when the source is stuck in a call that
    never returns. The engine's end of the request pipe closes when the engine ends, killed
    or not: a watching thread then gives the worker a grace period (an orderly stop closes
    the pipe too, and the worker ends on its own well within it) and ends the process."""
    import select
    import threading
    import time

    def watch():
        poller = select.poll()
        poller.register(in_fd, select.POLLHUP | select.POLLERR)  # not POLLIN: only the end
        while True:
            try:
                events = poller.poll()
            except InterruptedError:
                continue
            if events:
                time.sleep(_ENGINE_GONE_GRACE_S)
                os._exit(1)

    threading.Thread(target=watch, name="rivulet-engine-watch", daemon=True).start()


def main(argv=None):
    in_fd, out_fd = _parse_fds(sys.argv[1:] if argv is None else argv)
    import faulthandler

    if faulthandler.is_enabled():
        # A crash report shows the crashing thread: the engine-watching thread's idle stack
        # would only push the source's frames out of the lines the engine keeps.
        faulthandler.enable(all_threads=False)
    _exit_with_the_engine(in_fd)
    # Children the source starts must not hold the engine's pipes open.
    os.set_inheritable(in_fd, False)
    os.set_inheritable(out_fd, False)
    # What the source prints reaches the engine's log line by line.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass
    return Worker(Channel(in_fd, out_fd)).serve()

