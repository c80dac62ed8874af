"""The data source API's surface and defaults, as PySpark defines them."""

import subprocess
import sys

import pytest

import rivulet.datasource as ds
import rivulet.streaming as st
from rivulet.errors import PySparkException, PySparkNotImplementedError
from rivulet.types import StructType

from conftest import PYTHON_DIR


class MyDataSource(ds.DataSource):
    ...


def _not_implemented(call, feature):
    with pytest.raises(NotImplementedError) as error:
        call()
    assert isinstance(error.value, PySparkNotImplementedError)
    assert error.value.getErrorClass() == "NOT_IMPLEMENTED"
    assert str(error.value) == "[NOT_IMPLEMENTED] %s is not implemented." % feature


def test_data_source_defaults():
    options = dict(a=1, b=2)
    source = MyDataSource(options=options)
    assert source.options == options
    assert MyDataSource.name() == "MyDataSource"
    assert source.name() == "MyDataSource"
    _not_implemented(source.schema, "schema")
    _not_implemented(lambda: source.streamReader(None), "streamReader")
    _not_implemented(lambda: source.simpleStreamReader(None), "simpleStreamReader")
    _not_implemented(lambda: source.streamWriter(None, None), "streamWriter")
    _not_implemented(lambda: source.reader(None), "reader")
    _not_implemented(lambda: source.writer(None, False), "writer")


def test_options_are_case_insensitive():
    options = ds.CaseInsensitiveDict({"Path": "/tmp", "maxRows": "5"})
    assert options["path"] == "/tmp" and options["PATH"] == "/tmp"
    assert "MAXROWS" in options and 1 not in options
    assert options.get("MaxRows") == "5"
    options["NEW"] = "x"
    assert dict(options) == {"path": "/tmp", "maxrows": "5", "new": "x"}
    del options["Path"]
    assert "path" not in options
    assert options.copy() == options


def test_stream_reader_defaults():
    class OnlyRead(ds.DataSourceStreamReader):
        def read(self, partition):
            yield (1, "abc")

    reader = OnlyRead()
    assert list(reader.read(None)) == [(1, "abc")]
    _not_implemented(reader.initialOffset, "initialOffset")
    _not_implemented(lambda: reader.latestOffset({}, st.ReadAllAvailable()), "latestOffset")
    _not_implemented(lambda: reader.partitions({}, {}), "partitions")
    assert reader.getDefaultReadLimit() == st.ReadAllAvailable()
    assert reader.reportLatestOffset() is None
    assert reader.commit({}) is None
    assert reader.stop() is None
    with pytest.raises(TypeError):
        ds.DataSourceStreamReader()  # read is abstract


def test_simple_stream_reader_defaults():
    reader = ds.SimpleDataSourceStreamReader()
    _not_implemented(reader.initialOffset, "initialOffset")
    _not_implemented(lambda: reader.read({}), "read")
    _not_implemented(lambda: reader.readBetweenOffsets({}, {}), "readBetweenOffsets")
    assert reader.commit({}) is None
    assert not hasattr(reader, "stop")


def test_input_partition_and_commit_message():
    assert ds.InputPartition(3).value == 3
    assert repr(ds.InputPartition(3)) == "InputPartition(value=3)"

    class Range(ds.InputPartition):
        def __init__(self, start, end):
            self.start, self.end = start, end

    assert repr(Range(1, 2)) == "Range(start=1, end=2)"
    assert isinstance(ds.WriterCommitMessage(), ds.WriterCommitMessage)


def test_read_limits_behave_as_sparks_dataclasses():
    assert st.ReadMaxRows(2) == st.ReadMaxRows(max_rows=2)
    assert st.ReadMaxRows(2) != st.ReadMaxRows(3)
    assert st.ReadMaxRows(2) != st.ReadMaxFiles(2)
    assert st.ReadMaxRows(2).max_rows == 2
    assert st.ReadMinRows(1).min_rows == 1
    assert st.ReadMaxBytes(7).max_bytes == 7
    assert repr(st.ReadMaxFiles(4)) == "ReadMaxFiles(max_files=4)"
    assert repr(st.ReadAllAvailable()) == "ReadAllAvailable()"
    assert isinstance(st.ReadAllAvailable(), st.ReadLimit)
    with pytest.raises(TypeError, match="missing required argument: 'max_rows'"):
        st.ReadMaxRows()
    with pytest.raises(TypeError, match="unexpected keyword argument 'maxRows'"):
        st.ReadMaxRows(maxRows=2)


def test_read_limits_cross_the_wire_tagged_with_their_class():
    assert st._limit_to_json_value(st.ReadMaxRows(2)) == {"_type": "ReadMaxRows", "max_rows": 2}
    assert st._limit_to_json_value(st.ReadAllAvailable()) == {"_type": "ReadAllAvailable"}
    for limit in (st.ReadAllAvailable(), st.ReadMinRows(1), st.ReadMaxRows(2), st.ReadMaxFiles(3), st.ReadMaxBytes(4)):
        assert st._limit_from_json_value(st._limit_to_json_value(limit)) == limit
    with pytest.raises(ValueError, match="name 'ReadSomething' is not registered."):
        st._limit_from_json_value({"_type": "ReadSomething"})
    with pytest.raises(TypeError, match="expected a read limit .* got int"):
        st._limit_to_json_value(5)


def test_available_now_mixin_is_abstract():
    class Reader(ds.SimpleDataSourceStreamReader, st.SupportsTriggerAvailableNow):
        pass

    with pytest.raises(TypeError):
        Reader()
    assert ds.SupportsTriggerAvailableNow is st.SupportsTriggerAvailableNow


def test_the_modules_are_at_pysparks_paths_and_the_short_names_are_the_same_modules():
    import rivulet.sql
    import rivulet.sql.datasource
    import rivulet.sql.streaming.datasource
    import rivulet.sql.types
    import rivulet.types

    assert ds is rivulet.sql.datasource and ds.__name__ == "rivulet.sql.datasource"
    assert st is rivulet.sql.streaming.datasource
    assert rivulet.types is rivulet.sql.types
    assert ds.DataSource.__module__ == "rivulet.sql.datasource"
    assert StructType.__module__ == "rivulet.sql.types"
    assert st.ReadMaxRows.__module__ == "rivulet.sql.streaming.datasource"
    assert rivulet.sql.datasource.DataSource is ds.DataSource
    assert rivulet.sql.datasource.EqualTo((("a",)), 1).value == 1
    assert ds.EqualTo is rivulet.sql.datasource.EqualTo
    assert rivulet.sql.types.StructType is StructType
    assert rivulet.types._parse_datatype_string is rivulet.sql.types._parse_datatype_string
    assert rivulet.sql.streaming.datasource.ReadMaxRows is st.ReadMaxRows
    assert st._limit_to_json_value is rivulet.sql.streaming.datasource._limit_to_json_value
    assert rivulet.sql.Row is rivulet.types.Row
    assert rivulet.sql.VariantVal is rivulet.types.VariantVal


def test_the_short_names_import_in_any_order():
    for first, second in [("rivulet.types", "rivulet.sql.types"), ("rivulet.sql.types", "rivulet.types"),
                          ("rivulet.datasource", "rivulet.sql.datasource"),
                          ("rivulet.sql.datasource", "rivulet.datasource"),
                          ("rivulet.streaming", "rivulet.sql.streaming.datasource"),
                          ("rivulet.sql.streaming.datasource", "rivulet.streaming")]:
        code = (
            "import importlib, pickle, sys\n"
            "a = importlib.import_module(%r)\n"
            "b = importlib.import_module(%r)\n"
            "from rivulet.types import Row\n"
            "print(a is b, sys.modules[%r] is sys.modules[%r], pickle.loads(pickle.dumps(Row(x=1))) == Row(x=1))\n"
        ) % (first, second, first, second)
        out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": PYTHON_DIR}, capture_output=True, text=True, check=True)
        assert out.stdout.split() == ["True", "True", "True"], (first, second)


def test_pyspark_exception_messages():
    error = PySparkException(errorClass="DATA_SOURCE_TYPE_MISMATCH", messageParameters={"expected": "a", "actual": "b"})
    assert str(error) == "[DATA_SOURCE_TYPE_MISMATCH] Expected a, but got b."
    assert error.getMessageParameters() == {"expected": "a", "actual": "b"}
    assert str(PySparkException("plain")) == "plain"


def test_importing_rivulet_loads_nothing_else():
    code = "import sys, rivulet; print(sorted(m for m in sys.modules if m.startswith('rivulet')))"
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": PYTHON_DIR}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['rivulet']"


def test_pyspark_shim_only_when_asked():
    code = (
        "import importlib.util, rivulet\n"
        "before = importlib.util.find_spec('pyspark') is None\n"
        "installed = rivulet.install_pyspark_shim()\n"
        "from pyspark.sql.datasource import DataSource\n"
        "import rivulet.datasource\n"
        "print(before, installed, DataSource is rivulet.datasource.DataSource, rivulet.install_pyspark_shim())\n"
    )
    import importlib.util

    if importlib.util.find_spec("pyspark") is not None:
        pytest.skip("a real pyspark is installed")
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": PYTHON_DIR}, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True", "False"]
