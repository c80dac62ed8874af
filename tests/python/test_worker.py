"""The worker driven directly over its pipes, as the engine drives it."""

import datetime
import decimal
import json
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from rivulet import arrow_ipc
from rivulet import worker as W
from rivulet._stream_writer import CREATE_WRITER, WRITE
from rivulet.types import _parse_ddl_schema

from conftest import ID_INT_SCHEMA, PYTHON_DIR, SOURCES_DIR, EXAMPLES_DIR, WorkerClient, python_with, source

ALL = json.dumps({"_type": "ReadAllAvailable"})


def max_rows(n):
    return json.dumps({"_type": "ReadMaxRows", "max_rows": n})


def schema_json(ddl):
    return _parse_ddl_schema(ddl).json()


def rows(data):
    return arrow_ipc.decode_stream(data)[1] if data else []


def read_all(client, start, end, reader=None):
    """The rows of (start, end]: partitions planned by `client`, read by `reader`."""
    out = []
    for partition in client.ok(W.PARTITIONS, start, end):
        out += rows((reader or client).ok(W.READ_PARTITION, partition)[0])
    return out


def test_init_reports_name_schema_and_reference(worker):
    client = worker()
    reply = client.init(source("spark_admission_control.py:TestDataSource"))
    assert reply["name"] == "TestDataSource"
    assert reply["schema_ddl"] == "id INT"
    assert reply["reference"] == source("spark_admission_control.py") + ":TestDataSource"
    assert reply["executable"] == sys.executable
    assert "schema_ddl" not in worker().init(source("spark_admission_control.py:TestDataSource"), need_schema=False)


def test_schema_as_struct_type_comes_back_as_json(worker):
    reply = worker().init(source("pyspark_imports.py:ImportsSource"))
    assert json.loads(reply["schema_json"])["fields"][1]["name"] == "where"


def test_admission_control_reader_over_the_protocol(worker):
    client = worker()
    client.init(source("spark_admission_control.py:TestDataSource"))
    reply = client.create_reader("stream")
    assert reply == {
        "available_now": False,
        "legacy_latest_offset": False,
        "default_read_limit": {"_type": "ReadMaxRows", "max_rows": 2},
    }
    start = client.ok(W.INITIAL_OFFSET)[0]
    assert start == b'{"partition-1": 0}'
    # The reply carries what reportLatestOffset() reports too: one round trip for both.
    assert client.ok(W.LATEST_OFFSET, start, max_rows(2)) == [
        b'{"partition-1": 2}', b'{"partition-1": 1000000}']
    end = client.ok(W.LATEST_OFFSET, start, ALL)[0]
    assert end == b'{"partition-1": 10}'
    assert client.ok(W.REPORT_LATEST_OFFSET) == [b'{"partition-1": 1000000}']
    reader = worker()
    reader.init(source("spark_admission_control.py:TestDataSource"), need_schema=False)
    reader.create_reader("stream")
    assert read_all(client, start, end, reader) == [(i,) for i in range(10)]
    assert client.ok(W.PARTITIONS, end, end) == []
    assert client.ok(W.COMMIT, end) == []
    assert client.ok(W.STOP) == []


def test_legacy_reader_is_detected_by_signature(worker):
    client = worker()
    client.init(source("spark_stream_reader.py:TestDataSource"))
    assert client.create_reader("stream")["legacy_latest_offset"] is True
    start = client.ok(W.INITIAL_OFFSET)[0]
    for i in range(1, 4):
        end = client.ok(W.LATEST_OFFSET, start, ALL)[0]
        assert json.loads(end) == {"offset": 2 * i}
        assert read_all(client, start, end) == [(2 * i - 2,), (2 * i - 1,)]
        start = end


def test_simple_reader_reads_and_replays(worker):
    client = worker()
    client.init(source("spark_simple_reader.py:SimpleDataSource"))
    assert client.create_reader("simple") == {"available_now": False}
    end, data = client.ok(W.SIMPLE_READ, b'{"offset": 0}')
    assert end == b'{"offset": 2}'
    assert rows(data) == [(0,), (1,)]
    [data] = client.ok(W.READ_BETWEEN_OFFSETS, b'{"offset": 0}', b'{"offset": 6}')
    assert rows(data) == [(i,) for i in range(6)]


def test_simple_reader_empty_batches_advance_without_rows(worker):
    client = worker()
    client.init(source("spark_simple_empty_batches.py:EmptyBatchSource"))
    client.create_reader("simple")
    start, seen = b'{"offset": 0}', []
    for batch in range(6):
        end, data = client.ok(W.SIMPLE_READ, start)
        assert end != start
        seen.append(rows(data))
        start = end
    assert seen == [[(0,), (1,)], [], [(2,), (3,)], [], [(4,), (5,)], []]
    [data] = client.ok(W.READ_BETWEEN_OFFSETS, b'{"offset": 0}', start)
    assert rows(data) == [(i,) for i in range(6)]


def test_available_now_readers(worker):
    client = worker()
    client.init(source("spark_available_now.py:AvailableNowDataSource"))
    assert client.create_reader("stream")["available_now"] is True
    assert client.ok(W.PREPARE_FOR_TRIGGER_AVAILABLE_NOW) == []
    start, batches = client.ok(W.INITIAL_OFFSET)[0], 0
    while True:
        end = client.ok(W.LATEST_OFFSET, start, max_rows(2))[0]
        if end == start:
            break
        batches, start = batches + 1, end
    assert (batches, start) == (5, b'{"offset": 10}')

    simple = worker()
    simple.init(source("spark_simple_available_now.py:SimpleAvailableNowSource"))
    assert simple.create_reader("simple") == {"available_now": True}
    simple.ok(W.PREPARE_FOR_TRIGGER_AVAILABLE_NOW)
    assert simple.ok(W.SIMPLE_READ, b'{"offset": 8}')[0] == b'{"offset": 10}'
    assert simple.ok(W.SIMPLE_READ, b'{"offset": 10}') == [b'{"offset": 10}', b""]


def test_prepare_without_the_mixin_is_not_implemented(worker):
    client = worker()
    client.init(source("spark_simple_reader.py:SimpleDataSource"))
    client.create_reader("simple")
    assert client.error(W.PREPARE_FOR_TRIGGER_AVAILABLE_NOW) == (
        W.NOT_IMPLEMENTED,
        "source 'SimpleDataSource': the reader does not support Trigger.AvailableNow "
        "(it does not mix in SupportsTriggerAvailableNow)",
    )


LENIENT_SCHEMA = "id INT, name STRING, at TIMESTAMP, point STRUCT<x: DOUBLE, y: DOUBLE>, tags ARRAY<STRING>"


def test_leniencies_of_real_sources(worker):
    import datetime

    client = worker()
    client.init(source("lenient.py:LenientSource"))
    client.create_reader("stream", schema_json(LENIENT_SCHEMA))
    start = client.ok(W.INITIAL_OFFSET)[0]
    assert start == json.dumps(json.dumps({"n": 0})).encode()  # a JSON string offset
    end = client.ok(W.LATEST_OFFSET, start, ALL)[0]
    got = read_all(client, start, end)
    assert [r[0] for r in got] == [0, 1, 2, 3]
    utc = datetime.timezone.utc
    # 12:00:01+02:00 is 10:00:01 UTC
    assert got[1][2] == datetime.datetime(2024, 1, 1, 10, 0, 1, tzinfo=utc)
    assert got[0][2] == datetime.datetime(2024, 1, 1, 12, 0, 0, tzinfo=utc)
    assert tuple(got[0][3]) == (0.0, -1.0) and got[0][4] == ["a"]
    assert tuple(got[2][3]) == (2.0, -1.0) and got[2][4] == []

    simple = worker()
    simple.init(source("lenient.py:LenientSource"), {"KIND": "simple"})
    simple.create_reader("simple", schema_json(LENIENT_SCHEMA))
    end, data = simple.ok(W.SIMPLE_READ, b'{"n": 0}')
    assert end == b'{"n": 2}' and [r[1] for r in rows(data)] == ["n0", "n1"]


@pytest.mark.parametrize("strict, refusal", [
    ("list", "[DATA_SOURCE_INVALID_RETURN_TYPE] Unsupported return type ('list') from Python "
             "data source 'LenientSource'. Expected types: iterator."),
    ("dict", "[DATA_SOURCE_INVALID_RETURN_TYPE] Unsupported return type ('dict') from Python "
             "data source 'LenientSource'. Expected types: tuple, list, "
             "`pyspark.sql.types.Row`, `pyarrow.RecordBatch`."),
])
def test_what_spark_refuses_from_a_read_is_refused_with_its_error(worker, strict, refusal):
    client = worker()
    client.init(source("lenient.py:LenientSource"), {"strict": strict})
    client.create_reader("stream", schema_json(LENIENT_SCHEMA))
    start = client.ok(W.INITIAL_OFFSET)[0]
    end = client.ok(W.LATEST_OFFSET, start, ALL)[0]
    partition = client.ok(W.PARTITIONS, start, end)[0]
    kind, message = client.error(W.READ_PARTITION, partition)
    assert kind == W.USER_ERROR
    assert refusal in message


def test_a_source_without_a_schema_fails_with_sparks_error(worker):
    from conftest import WorkerError

    with pytest.raises(WorkerError) as refused:
        worker().init(source("faulty.py:NoSchemaSource"))
    assert ("user_code: [PYTHON_DATA_SOURCE_ERROR] Failed to create Python data source "
            "instance: source 'NoSchemaSource': [NOT_IMPLEMENTED] schema is not implemented."
            ) in str(refused.value)


def test_options_reach_the_source_case_insensitively(worker):
    client = worker()
    client.init(source("faulty.py:BadValueSource"), {"Bad": "short_row"})
    client.create_reader("simple", schema_json("id INT, name STRING"))
    assert client.error(W.SIMPLE_READ, b'{"offset": 0}') == (
        W.USER_ERROR,
        "source 'BadValueSource': [DATA_SOURCE_RETURN_SCHEMA_MISMATCH] Return schema "
        "mismatch in the result from 'read' method. Expected: 2 columns, Found: 1 columns. "
        "Make sure the returned values match the required output schema. (row 3)",
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        ("string_in_int", "column 'id' (row 3): expected int, got str 'x'"),
        ("int_out_of_range", "column 'id' (row 3): value 2147483648 out of range for int"),
        ("bool_in_int", "column 'id' (row 3): expected int, got bool True"),
    ],
)
def test_values_that_do_not_fit_name_source_column_row_and_type(worker, bad, message):
    client = worker()
    client.init(source("faulty.py:BadValueSource"), {"bad": bad})
    client.create_reader("simple", schema_json("id INT, name STRING"))
    kind, text = client.error(W.SIMPLE_READ, b'{"offset": 0}')
    assert kind == W.USER_ERROR
    assert text == "source 'BadValueSource': read returned a value that does not fit the schema: " + message


def python_for(framework):
    """An interpreter whose worker runs sources on `framework`'s classes: "rivulet" (no real
    pyspark: the shim) or "pyspark"; the test is skipped without one."""
    import importlib.util

    if framework == "pyspark":
        python = python_with("pyspark")
    else:
        python = sys.executable if importlib.util.find_spec("pyspark") is None else None
    if python is None:
        pytest.skip("no Python with %s's classes" % framework)
    return python


INTERVALS_AND_VARIANTS = "d INTERVAL DAY TO SECOND, v VARIANT, tags ARRAY<VARIANT>"


@pytest.mark.parametrize("framework", ["rivulet", "pyspark"])
def test_intervals_and_variants_are_read_and_written_with_the_sources_classes(worker, framework):
    client = worker(python=python_for(framework))
    client.init(source("intervals_and_variants.py:IntervalsAndVariants"))
    client.create_reader("simple", schema_json(INTERVALS_AND_VARIANTS))
    _, data = client.ok(W.SIMPLE_READ, b'{"n": 0}')
    td = datetime.timedelta
    as_json = [(d, v and v.toJson(), tags and [t and t.toJson() for t in tags]) for d, v, tags in rows(data)]
    # An int is microseconds, a float truncated to them, as Spark takes them.
    assert as_json == [(td(days=1, microseconds=5), '{"a":[1,2.5,"x"]}', ["null", None]),
                       (td(microseconds=5), None, None), (td(microseconds=1), "1.0E20", [])]
    client.ok(CREATE_WRITER, json.dumps({"schema": schema_json(INTERVALS_AND_VARIANTS)}))
    [message] = client.ok(WRITE, b"0", b"0", data)
    # write() gets the VariantVal class of the framework the source imports.
    assert pickle.loads(message) == [
        (True, {"a": [1, decimal.Decimal("2.5"), "x"]}, "1 day, 0:00:00.000005"),
        (False, None, "0:00:00.000005"), (True, 1e20, "0:00:00.000001")]


@pytest.mark.parametrize("framework", ["rivulet", "pyspark"])
@pytest.mark.parametrize("bad, message", [
    ("bool", "column 'd' (row 3): expected interval day to second, got bool True"),
    ("bytes", "column 'v' (row 3): expected variant (a VariantVal), got bytes b'\\x0c\\x01': "
              "[MALFORMED_VARIANT] Variant binary is malformed. Please check the data source is valid."),
])
def test_intervals_and_variants_spark_refuses_are_refused(worker, framework, bad, message):
    client = worker(python=python_for(framework))
    client.init(source("intervals_and_variants.py:IntervalsAndVariants"), {"bad": bad})
    client.create_reader("simple", schema_json(INTERVALS_AND_VARIANTS))
    assert client.error(W.SIMPLE_READ, b'{"n": 0}') == (
        W.USER_ERROR,
        "source 'IntervalsAndVariants': read returned a value that does not fit the schema: " + message)


def test_exception_carries_the_traceback_and_the_worker_goes_on(worker):
    client = worker()
    client.init(source("faulty.py:FaultySource"), {"fail": "partitions"})
    client.create_reader("stream")
    kind, text = client.error(W.PARTITIONS, b'{"offset": 0}', b'{"offset": 2}')
    assert kind == W.USER_ERROR
    assert text.startswith("source 'FaultySource': partitions raised an exception:\nTraceback (most recent call last):\n")
    assert 'faulty.py", line' in text and text.endswith("Exception: error in partitions")
    assert "worker.py" not in text
    assert client.ok(W.INITIAL_OFFSET) == [b'{"offset": 0}']


@pytest.mark.parametrize("method", ["__init__", "schema", "streamReader"])
def test_exception_while_building_the_source(worker, method):
    client = worker()
    if method == "streamReader":
        client.init(source("faulty.py:FaultySource"), {"fail": method})
        kind, text = client.error(W.CREATE_READER, json.dumps({"kind": "stream", "schema": ID_INT_SCHEMA}))
    else:
        kind, text = client.error(
            W.INIT, json.dumps({"source": source("faulty.py:FaultySource"), "options": {"fail": method}})
        )
    assert kind == W.USER_ERROR
    assert "%s raised an exception:\nTraceback" % method in text
    assert text.endswith("Exception: error in %s" % method)


def test_not_json_offset_names_the_method(worker):
    client = worker()
    client.init(source("faulty.py:NotJsonOffsetSource"))
    client.create_reader("stream")
    assert client.error(W.LATEST_OFFSET, b'{"offset": 0}', ALL) == (
        W.USER_ERROR,
        "source 'NotJsonOffsetSource': latestOffset returned an offset that is not "
        "JSON-serialisable (dict): Object of type datetime is not JSON serializable",
    )


def test_rows_with_an_offset_that_did_not_advance(worker):
    client = worker()
    client.init(source("faulty.py:StuckSource"))
    client.create_reader("simple")
    assert client.ok(W.SIMPLE_READ, b'{"offset": 0}') == [b'{"offset": 0}', b""]
    kind, text = client.error(W.SIMPLE_READ, b'{"offset": 1}')
    assert kind == W.USER_ERROR
    assert "[SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE]" in text
    assert 'end offset {"offset": 1} equals its start offset {"offset": 1}' in text


def test_not_implemented_methods(worker):
    client = worker()
    client.init(source("faulty.py:NotImplementedSource"))
    client.create_reader("stream")
    assert client.error(W.INITIAL_OFFSET) == (
        W.NOT_IMPLEMENTED,
        "source 'NotImplementedSource': [NOT_IMPLEMENTED] initialOffset is not implemented.",
    )
    assert client.error(W.PARTITIONS, b"{}", b"{}")[0] == W.NOT_IMPLEMENTED
    assert client.error(W.CREATE_READER, json.dumps({"kind": "simple", "schema": ID_INT_SCHEMA})) == (
        W.NOT_IMPLEMENTED,
        "source 'NotImplementedSource': [NOT_IMPLEMENTED] simpleStreamReader is not implemented.",
    )


def test_loading_errors(worker):
    client = worker()
    missing = os.path.join(SOURCES_DIR, "missing.py")
    assert client.error(W.INIT, json.dumps({"source": missing + ":X"})) == (
        W.NOT_FOUND, "source file %s does not exist" % missing)
    assert client.error(W.INIT, json.dumps({"source": "json:JSONDecoder"})) == (
        W.INVALID_ARGUMENT, "[DATA_SOURCE_TYPE_MISMATCH] Expected a subclass of DataSource, but got JSONDecoder")
    kind, text = client.error(W.INIT, json.dumps({"source": source("faulty.py")}))
    assert kind == W.INVALID_ARGUMENT and text.startswith(source("faulty.py") + " defines 9 DataSource classes")


def test_unknown_function_and_malformed_requests(worker):
    client = worker()
    assert client.error(4242) == (W.INTERNAL, "[UNSUPPORTED_OPERATION] unknown function id 4242")
    assert client.error(W.INITIAL_OFFSET) == (W.INTERNAL, "no reader: CREATE_READER must come first")
    assert client.error(W.INIT)[1] == "malformed request 1: IndexError: list index out of range"


def test_prints_go_to_the_log_not_the_channel(worker):
    client = worker()
    client.init(source("faulty.py:FaultySource"), {"print": "yes"})
    client.create_reader("stream")
    assert client.ok(W.INITIAL_OFFSET) == [b'{"offset": 0}']
    output = client.close()
    assert "stdout from initialOffset\n" in output and "stderr from initialOffset\n" in output


def test_sys_exit_in_a_source_ends_the_worker_with_its_status(worker):
    client = worker()
    client.init(source("faulty.py:FaultySource"), {"crash": "commit", "crash_how": "exit"})
    client.create_reader("stream")
    client.send(W.COMMIT, b'{"offset": 2}')
    assert client.receive() is None
    client.close()
    assert client.proc.returncode == 3


def test_pyspark_imports_resolve_in_the_worker_only(worker):
    import importlib.util

    if importlib.util.find_spec("pyspark") is not None:
        pytest.skip("a real pyspark is installed; the worker uses it")
    client = worker()
    client.init(source("pyspark_imports.py:ImportsSource"))
    client.create_reader("simple", schema_json("id INT, where STRING"))
    _, data = client.ok(W.SIMPLE_READ, b'{"n": 0}')
    [(n, where)] = rows(data)
    assert where.startswith("rivulet.sql.datasource ") and "_pyspark_shim" in where
    # The test's own interpreter did not get the shim.
    assert importlib.util.find_spec("pyspark") is None
    assert "pyspark" not in sys.modules


def test_source_class_sent_as_cloudpickle_bytes(worker):
    cloudpickle = pytest.importorskip("cloudpickle")
    from rivulet.datasource import DataSource, SimpleDataSourceStreamReader

    class ScriptReader(SimpleDataSourceStreamReader):
        def initialOffset(self):
            return {"n": 0}

        def read(self, start):
            return iter([(start["n"],)]), {"n": start["n"] + 1}

    class ScriptSource(DataSource):
        def schema(self):
            return "id INT"

        def simpleStreamReader(self, schema):
            return ScriptReader()

    client = worker()
    reply = client.init("script.py:ScriptSource", pickled=cloudpickle.dumps(ScriptSource))
    assert reply["name"] == "ScriptSource" and reply["reference"] is None
    client.create_reader("simple")
    end, data = client.ok(W.SIMPLE_READ, b'{"n": 5}')
    assert (end, rows(data)) == (b'{"n": 6}', [(5,)])


def _without_cloudpickle(tmp_path):
    (tmp_path / "cloudpickle.py").write_text("raise ImportError('cloudpickle is hidden for this test')\n")
    return {"PYTHONPATH": "%s:%s" % (tmp_path, PYTHON_DIR)}


def test_cloudpickle_bytes_without_cloudpickle_say_how_to_get_it(worker, tmp_path):
    client = worker(env=_without_cloudpickle(tmp_path))
    kind, text = client.error(W.INIT, json.dumps({"source": "script.py:X"}), b"\x80\x05N.")
    assert kind == W.INVALID_ARGUMENT
    assert "has no cloudpickle: install it (Debian: apt-get install python3-cloudpickle" in text


def test_file_sources_do_not_need_cloudpickle(worker, tmp_path):
    client = worker(env=_without_cloudpickle(tmp_path))
    client.init(source("spark_stream_reader.py:TestDataSource"))
    client.create_reader("stream")
    start = client.ok(W.INITIAL_OFFSET)[0]
    end = client.ok(W.LATEST_OFFSET, start, ALL)[0]
    assert read_all(client, start, end) == [(0,), (1,)]


def test_short_name_is_found_under_the_python_path(worker):
    client = worker()
    reply = client.init("Blockchain_Example", python_path=[SOURCES_DIR])
    assert reply["name"] == "blockchain_example"
    assert reply["reference"] == "blockchain_admission_control:ChainSource"
    client.create_reader("stream", schema_json(reply["schema_ddl"]))
    start = client.ok(W.INITIAL_OFFSET)[0]
    end = client.ok(W.LATEST_OFFSET, start, max_rows(20))[0]
    assert end == b'{"block_number": 20}'
    assert len(read_all(client, start, end)) == 20
    assert client.ok(W.LATEST_OFFSET, b'{"block_number": 9990}', ALL) == [b'{"block_number": 10000}']
    assert client.ok(W.LATEST_OFFSET, b'{"block_number": 10000}', ALL) == [b'{"block_number": 10000}']


def test_pyarrow_record_batches_pass_through(worker):
    pytest.importorskip("pyarrow")
    client = worker()
    client.init(source("spark_pyarrow_reader.py:PyArrowDataSource"))
    client.create_reader("stream", schema_json("key int, value string"))
    [partition] = client.ok(W.PARTITIONS, b'{"offset": 0}', b'{"offset": 2}')
    assert rows(client.ok(W.READ_PARTITION, partition)[0]) == [
        (1, "one"), (2, "two"), (3, "three"), (4, "four"), (5, "five")]


def test_worker_runs_under_the_paths_python3_too(worker):
    python3 = shutil.which("python3")
    if python3 is None:
        pytest.skip("no python3 on PATH")
    client = worker(python=python3)
    client.init(source("spark_simple_reader.py:SimpleDataSource"))
    client.create_reader("simple")
    assert rows(client.ok(W.SIMPLE_READ, b'{"offset": 0}')[1]) == [(0,), (1,)]


def test_rivulets_own_bytecode_is_cached_when_the_environment_disables_writing(worker, tmp_path):
    client = worker(env={"PYTHONDONTWRITEBYTECODE": "1", "XDG_CACHE_HOME": str(tmp_path)})
    client.init(source("spark_simple_reader.py:SimpleDataSource"))
    client.close()
    cached = sorted(p.name for p in tmp_path.rglob("*.pyc"))
    assert "_worker.cpython-%d%d.pyc" % sys.version_info[:2] in cached
    assert any(name.startswith("encoder.") for name in cached)  # the Arrow IPC writer
    # The source's own module is left as the environment says: not cached.
    assert not any(name.startswith("spark_simple_reader") for name in cached)
    assert not (tmp_path.parent / "__pycache__").exists()


def test_named_rows_of_another_row_class_are_matched_by_name():
    from rivulet._worker import _as_rivulet_rows
    from rivulet.types import Row

    class ForeignRow(tuple):
        """Shaped like real pyspark's Row: a tuple with __fields__."""

        def __new__(cls, **kwargs):
            row = tuple.__new__(cls, kwargs.values())
            row.__fields__ = list(kwargs)
            return row

    converted = _as_rivulet_rows([ForeignRow(b=[ForeignRow(y=2, x=1)], a={"k": ForeignRow(z=3)})])
    assert converted == [Row(b=[Row(y=2, x=1)], a={"k": Row(z=3)})]
    assert isinstance(converted[0], Row) and converted[0].__fields__ == ["b", "a"]
    assert converted[0].b[0].__fields__ == ["y", "x"]
    schema = _parse_ddl_schema("a MAP<STRING, STRUCT<z: INT>>, b ARRAY<STRUCT<x: INT, y: INT>>")
    assert arrow_ipc.decode_stream(arrow_ipc.encode_stream(converted, schema))[1] == [({"k": (3,)}, [(1, 2)])]
