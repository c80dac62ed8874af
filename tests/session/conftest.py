"""Fixtures for the session tests: rivulet's SparkSession (the package installed in this
interpreter, `pip install .`), the reference PySpark 4.3 session, and the check that no
worker process outlives a session."""

import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# PySpark's workers import the sources of these tests by module name, and run this Python.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [HERE] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
if HERE not in sys.path:
    sys.path.insert(0, HERE)


WORKER_COMMANDS = ("-m rivulet._template", "-m rivulet.worker")


def rivulet_processes():
    """Live child processes of this one that are rivulet's Python workers or their template
    (forked workers keep the template's command line), as (pid, command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == os.getpid() and state != "Z" and any(c in cmdline for c in WORKER_COMMANDS):
            found.append((int(entry), cmdline.strip()))
    return found


def assert_no_rivulet_processes(timeout=10.0):
    deadline = time.monotonic() + timeout
    while rivulet_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    left = rivulet_processes()
    assert left == [], "worker processes outlived their session: %r" % left


@pytest.fixture
def spark():
    """A fresh rivulet session per test; after it, no worker process may be left."""
    from rivulet import SparkSession

    session = SparkSession.builder.appName("rivulet-tests").getOrCreate()
    yield session
    session.stop()
    assert_no_rivulet_processes()


@pytest.fixture(scope="session")
def pyspark_session():
    """Apache Spark itself (PySpark 4.3 on this machine's Java 17): the reference."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("rivulet-reference")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(params=["rivulet", "pyspark"])
def any_spark(request):
    """Each engine in turn, for tests whose expectations hold on both."""
    if request.param == "rivulet":
        yield request.getfixturevalue("spark")
    else:
        yield request.getfixturevalue("pyspark_session")
