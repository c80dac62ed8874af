"""The sinks into real systems, driven from the session as a PySpark user writes a query:
rows arrive once, a restart goes on where the query stopped, and a table or directory of
another query is refused."""

import os
import sqlite3
import subprocess

import pytest

from streaming_sources import CounterSource


def _run_to_end(spark, fmt, checkpoint, limit=9, **options):
    writer = (spark.readStream.format("counter").option("limit", limit).load()
              .writeStream.format(fmt).option("checkpointLocation", checkpoint))
    for key, value in options.items():
        writer = writer.option(key, value)
    query = writer.start()
    query.processAllAvailable()
    query.stop()
    return query


def test_the_sqlite_sink_appends_every_row_once_across_restarts(spark, tmp_path):
    spark.dataSource.register(CounterSource)
    db = str(tmp_path / "out.db")
    checkpoint = str(tmp_path / "cp")
    _run_to_end(spark, "sqlite", checkpoint, limit=9, path=db, table="events")
    # The same query again, with more rows in its source: it goes on at batch 3.
    query = _run_to_end(spark, "sqlite", checkpoint, limit=15, path=db, table="events")

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, text FROM events ORDER BY id").fetchall()
        progress = conn.execute(
            "SELECT table_name, query_id, batch_id FROM _rivulet_sink_progress").fetchall()
    assert rows == [(i, "row %d" % i) for i in range(15)]
    assert progress == [("events", query.id, 4)]


def test_the_sqlite_sink_refuses_a_table_another_query_writes(spark, tmp_path):
    spark.dataSource.register(CounterSource)
    db = str(tmp_path / "out.db")
    first = _run_to_end(spark, "sqlite", str(tmp_path / "cp1"), path=db, table="events")

    with pytest.raises(Exception) as refused:
        _run_to_end(spark, "sqlite", str(tmp_path / "cp2"), path=db, table="events")
    message = str(refused.value)
    assert "belongs to query %s" % first.id in message
    assert str(tmp_path / "cp2") in message
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (9,)


class PostgresServer:
    """A throwaway PostgreSQL server (Debian's binaries) on a free loopback port, as user
    nobody when the tests run as root, since PostgreSQL refuses root."""

    PASSWORD = "s3cret-Pa55word"

    def __init__(self, tmp):
        import glob
        import socket

        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        assert bins, "PostgreSQL's server is not installed (apt-get install postgresql)"
        self.bin = os.path.dirname(bins[-1])
        self.dir = str(tmp)
        with open(os.path.join(self.dir, "password"), "w") as f:
            f.write(self.PASSWORD)
        self.as_user = []
        if os.getuid() == 0:
            import pwd

            nobody = pwd.getpwnam("nobody")
            for path in (self.dir, os.path.join(self.dir, "password")):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            self.as_user = ["runuser", "-u", "nobody", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        data = os.path.join(self.dir, "data")
        self._run("initdb", "-D", data, "-U", "rivulet", "--auth=scram-sha-256",
                  "--pwfile=" + os.path.join(self.dir, "password"), "-E", "UTF8", "--no-sync")
        self._run("pg_ctl", "-D", data, "-l", os.path.join(self.dir, "log"), "-w", "-o",
                  "-p %d -k %s -c listen_addresses=127.0.0.1" % (self.port, self.dir), "start")
        self.url = ("host=127.0.0.1 port=%d dbname=postgres user=rivulet password=%s"
                    % (self.port, self.PASSWORD))

    def _run(self, program, *args):
        subprocess.run(self.as_user + [os.path.join(self.bin, program), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def psql(self, sql):
        out = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "rivulet", "-d", "postgres", "-c", sql],
            env={**os.environ, "PGPASSWORD": self.PASSWORD}, check=True,
            capture_output=True, text=True)
        return out.stdout

    def stop(self):
        self._run("pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "immediate", "-w",
                  "stop")


@pytest.fixture
def postgres():
    import shutil
    import tempfile

    # Not under pytest's temporary root, which only root may enter.
    tmp = tempfile.mkdtemp(prefix="rivulet-postgres-")
    server = PostgresServer(tmp)
    yield server
    server.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def test_the_postgres_sink_appends_every_row_once_across_restarts(spark, tmp_path, postgres):
    spark.dataSource.register(CounterSource)
    checkpoint = str(tmp_path / "cp")
    _run_to_end(spark, "postgres", checkpoint, limit=9, url=postgres.url, table="events")
    query = _run_to_end(spark, "postgres", checkpoint, limit=15, url=postgres.url,
                        table="events")
    assert postgres.psql("SELECT id, text FROM events ORDER BY id") == "".join(
        "%d|row %d\n" % (i, i) for i in range(15))
    assert postgres.psql("SELECT query_id, batch_id FROM _rivulet_sink_progress") == (
        "%s|4\n" % query.id)
    assert query.lastProgress["sink"]["description"].startswith("PostgresSink[host=127.0.0.1")
    assert postgres.PASSWORD not in str(query.lastProgress)
