"""Fixtures for the Python tests: a client that spawns ``python -m rivulet.worker`` on a pair
of pipes and speaks its protocol (docs/format/worker-protocol.md), as the engine does."""

import json
import os
import struct
import subprocess
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(os.path.dirname(TESTS_DIR))
PYTHON_DIR = os.path.join(REPO_DIR, "python")
SOURCES_DIR = os.path.join(TESTS_DIR, "sources")
EXAMPLES_DIR = os.path.join(REPO_DIR, "examples")

if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

from rivulet import worker as W  # noqa: E402

_LENGTH = struct.Struct("<I")
_HEADER = struct.Struct("<II")

ID_INT_SCHEMA = json.dumps(
    {"type": "struct", "fields": [{"name": "id", "type": "integer", "nullable": True, "metadata": {}}]}
)


def source(name):
    """Path of a test source file."""
    return os.path.join(SOURCES_DIR, name)


_PYTHONS_WITH = {}


def python_with(*modules):
    """A Python interpreter that imports all of `modules`: this one, else the test
    environment's build/venv (scripts/test makes it, with pyspark and pyarrow); None if
    neither does."""
    if modules not in _PYTHONS_WITH:
        found = None
        venv = os.path.join(REPO_DIR, "build", "venv", "bin", "python")
        for python in (sys.executable, venv):
            check = [python, "-c", "import %s" % ", ".join(modules)]
            if os.path.exists(python) and subprocess.run(check, capture_output=True).returncode == 0:
                found = python
                break
        _PYTHONS_WITH[modules] = found
    return _PYTHONS_WITH[modules]


def run_python_with(modules, code, data=b""):
    """Runs `code` in a Python that has `modules` (the test is skipped when there is none),
    with rivulet importable and `data` on its stdin; returns its stdout bytes."""
    python = python_with(*modules)
    if python is None:
        pytest.skip("no Python with %s" % ", ".join(modules))
    done = subprocess.run([python, "-c", code], input=data, capture_output=True,
                          env={**os.environ, "PYTHONPATH": PYTHON_DIR})
    if done.returncode != 0:
        raise AssertionError("%s failed:\n%s" % (python, done.stderr.decode()))
    return done.stdout


class WorkerError(AssertionError):
    pass


class WorkerClient:
    """One worker process. ``call`` sends a request and returns (status, fields)."""

    def __init__(self, python=None, env=None, cwd=None):
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        environment = dict(os.environ)
        environment["PYTHONPATH"] = PYTHON_DIR
        environment.update(env or {})
        self.proc = subprocess.Popen(
            [python or sys.executable, "-m", "rivulet.worker", "--fds", "%d,%d" % (req_r, rep_w)],
            pass_fds=(req_r, rep_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=cwd,
        )
        os.close(req_r)
        os.close(rep_w)
        self._out = os.fdopen(req_w, "wb")
        self._in = os.fdopen(rep_r, "rb")
        self.output = None

    def send(self, code, *fields):
        fields = [f.encode() if isinstance(f, str) else f for f in fields]
        body = _HEADER.pack(code, len(fields)) + b"".join(_LENGTH.pack(len(f)) + f for f in fields)
        self._out.write(_LENGTH.pack(len(body)) + body)
        self._out.flush()

    def receive(self):
        head = self._in.read(4)
        if len(head) < 4:
            return None
        (length,) = _LENGTH.unpack(head)
        body = self._in.read(length)
        status, count = _HEADER.unpack_from(body, 0)
        fields, pos = [], _HEADER.size
        for _ in range(count):
            (n,) = _LENGTH.unpack_from(body, pos)
            fields.append(body[pos + 4 : pos + 4 + n])
            pos += 4 + n
        return status, fields

    def call(self, code, *fields):
        self.send(code, *fields)
        reply = self.receive()
        if reply is None:
            raise WorkerError("the worker closed its channel: %s" % self.close())
        return reply

    def ok(self, code, *fields):
        status, reply = self.call(code, *fields)
        if status != W.STATUS_OK:
            raise WorkerError("request %d failed: %s: %s" % (code, reply[0].decode(), reply[1].decode()))
        return reply

    def error(self, code, *fields):
        """(kind, message) of a request that must fail."""
        status, reply = self.call(code, *fields)
        if status != W.STATUS_ERROR:
            raise WorkerError("request %d unexpectedly succeeded: %r" % (code, reply))
        return reply[0].decode(), reply[1].decode()

    def init(self, ref, options=None, need_schema=True, python_path=(), pickled=None, **extra):
        config = {
            "source": ref,
            "options": options or {},
            "need_schema": need_schema,
            "python_path": list(python_path),
        }
        config.update(extra)
        fields = [json.dumps(config)] + ([pickled] if pickled is not None else [])
        return json.loads(self.ok(W.INIT, *fields)[0])

    def create_reader(self, kind, schema_json=ID_INT_SCHEMA):
        return json.loads(self.ok(W.CREATE_READER, json.dumps({"kind": kind, "schema": schema_json}))[0])

    def close(self):
        """Closes the channel and returns what the worker printed."""
        if self.output is None:
            self._out.close()
            self.output = self.proc.communicate(timeout=30)[0].decode()
            self._in.close()
        return self.output


@pytest.fixture
def worker():
    clients = []

    def spawn(**kwargs):
        client = WorkerClient(**kwargs)
        clients.append(client)
        return client

    yield spawn
    for client in clients:
        client.close()
