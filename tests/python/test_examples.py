"""The examples under examples/ through the worker protocol."""

import json
import os
import time

from rivulet import arrow_ipc
from rivulet import worker as W
from rivulet.types import _parse_ddl_schema

from conftest import EXAMPLES_DIR

ALL = json.dumps({"_type": "ReadAllAvailable"})


def rows(data):
    return arrow_ipc.decode_stream(data)[1] if data else []


def open_example(worker, ref, options, kind):
    client = worker()
    reply = client.init(os.path.join(EXAMPLES_DIR, ref), options)
    created = client.create_reader(kind, _parse_ddl_schema(reply["schema_ddl"]).json())
    return client, created


def test_file_monitor_reads_each_settled_file_once_in_order(worker, tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    client, _ = open_example(worker, "file_monitor.py:FileMonitorSource", {"path": str(incoming), "settle_ms": "0"}, "simple")
    start = client.ok(W.INITIAL_OFFSET)[0]
    assert client.ok(W.SIMPLE_READ, start) == [start, b""]  # nothing yet
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text("content of " + name)
        os.rename(tmp_path / name, incoming / name)  # delivered by rename
        time.sleep(0.05)  # coarser than any file system clock tick
    end, data = client.ok(W.SIMPLE_READ, start)
    assert rows(data) == [("b.txt", "content of b.txt"), ("a.txt", "content of a.txt")]
    assert set(json.loads(end)) == {"ctime_ns", "name"} and json.loads(end)["name"] == "a.txt"
    assert client.ok(W.SIMPLE_READ, end) == [end, b""]  # read once
    (incoming / "c.txt").write_text("c")
    later, data = client.ok(W.SIMPLE_READ, end)
    assert rows(data) == [("c.txt", "c")]
    # A replay of the first batch reads exactly its files again.
    [data] = client.ok(W.READ_BETWEEN_OFFSETS, start, end)
    assert [r[0] for r in rows(data)] == ["b.txt", "a.txt"]


def test_file_monitor_waits_for_files_to_settle_and_bounds_a_batch(worker, tmp_path):
    client, _ = open_example(
        worker, "file_monitor.py:FileMonitorSource", {"path": str(tmp_path), "settle_ms": "60000", "max_files": "1"}, "simple")
    (tmp_path / "fresh.txt").write_text("x")
    start = client.ok(W.INITIAL_OFFSET)[0]
    assert client.ok(W.SIMPLE_READ, start) == [start, b""]

    bounded, _ = open_example(worker, "file_monitor.py:FileMonitorSource", {"path": str(tmp_path), "settle_ms": "0", "max_files": "1"}, "simple")
    (tmp_path / "second.txt").write_text("y")
    end, data = bounded.ok(W.SIMPLE_READ, start)
    assert [r[0] for r in rows(data)] == ["fresh.txt"]
    end, data = bounded.ok(W.SIMPLE_READ, end)
    assert [r[0] for r in rows(data)] == ["second.txt"]


def test_file_monitor_without_a_path_says_so(worker):
    client = worker()
    client.init(os.path.join(EXAMPLES_DIR, "file_monitor.py:FileMonitorSource"))
    kind, text = client.error(W.CREATE_READER, json.dumps({"kind": "simple", "schema": _parse_ddl_schema("name STRING NOT NULL, content STRING").json()}))
    assert kind == W.USER_ERROR and text.endswith("ValueError: file_monitor needs the option path=DIRECTORY")


def test_partitioned_counter_splits_batches_into_partitions(worker):
    client, created = open_example(
        worker, "partitioned_counter.py:PartitionedCounter", {"partitions": "3", "rows_per_batch": "10", "limit": "25"}, "stream")
    assert created["default_read_limit"] == {"_type": "ReadMaxRows", "max_rows": 10}
    assert created["available_now"] is True
    start = client.ok(W.INITIAL_OFFSET)[0]
    end = client.ok(W.LATEST_OFFSET, start, json.dumps(created["default_read_limit"]))[0]
    assert end == b'{"next": 10}'
    partitions = client.ok(W.PARTITIONS, start, end)
    assert len(partitions) == 3
    got = [r for p in partitions for r in rows(client.ok(W.READ_PARTITION, p)[0])]
    assert got == [(v, i, v * v) for i, (a, b) in enumerate([(0, 3), (3, 6), (6, 10)]) for v in range(a, b)]
    # Each reply is the offset, then what reportLatestOffset() reports (the last row).
    assert client.ok(W.LATEST_OFFSET, b'{"next": 20}', ALL) == [b'{"next": 25}', b'{"next": 25}']
    assert client.ok(W.LATEST_OFFSET, b'{"next": 25}', ALL) == [b'{"next": 25}', b'{"next": 25}']
    assert client.ok(W.PARTITIONS, b'{"next": 25}', b'{"next": 25}') == []
    assert client.ok(W.REPORT_LATEST_OFFSET) == [b'{"next": 25}']
