"""The worker template: a process that has imported rivulet's worker and forks new workers
on request (``python -m rivulet._template --fd N``), as PySpark's daemon.py does. A worker
forked from it is ready in a few milliseconds instead of an interpreter's start-up, and
shares the template's pages until it writes to them.

The engine sends each request on the socket at fd N (SOCK_SEQPACKET): the worker's
environment as NUL-separated ``KEY=VALUE`` entries, with three descriptors attached (the
request pipe, the reply pipe and the log pipe). The worker is made a child of the engine,
not of the template (see _fork_worker), so the engine waits for it as for any child of its
own; the reply is the worker's pid in decimal. The template says
``ready EXECUTABLE`` once, first (its ``sys.executable``, so the engine can start later
workers without a version manager's shim), and exits when the socket closes.
"""

import fcntl
import gc
import os
import signal
import socket
import struct
import sys


def _preload():
    """Imports what every worker needs before its first request: the worker, the codec's
    writing half and the data source API, under PySpark's names too when the shim serves
    them (a worker whose source brings a real pyspark unloads the shim again)."""
    import rivulet
    import rivulet._arrow_ipc.writer  # noqa: F401
    import rivulet._worker  # noqa: F401
    import rivulet.sql.datasource  # noqa: F401
    import rivulet.sql.streaming.datasource  # noqa: F401
    import rivulet.sql.types  # noqa: F401

    if rivulet.install_pyspark_shim():
        import pyspark.errors  # noqa: F401
        import pyspark.sql.datasource  # noqa: F401
        import pyspark.sql.streaming.datasource  # noqa: F401
        import pyspark.sql.types  # noqa: F401


def _run_worker(fds, env):
    """In the forked worker: the descriptors go to 3 (requests), 4 (replies), 1 and 2 (log),
    the rest of the template's state is dropped, and the worker serves until its engine
    closes the request pipe."""
    # Out of the way of 0..4 first, so no dup2 below clobbers a descriptor still to move.
    request, reply, log = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds)
    os.setpgid(0, 0)  # its own process group, as a spawned worker has
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    os.dup2(request, 3)
    os.dup2(reply, 4)
    os.dup2(log, 1)
    os.dup2(log, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.closerange(5, os.sysconf("SC_OPEN_MAX"))
    if os.environ != env:  # usually the same as the template's: nothing to redo
        os.environ.clear()
        os.environ.update(env)
    from rivulet._worker import main

    code = 1
    try:
        code = main(["--fds", "3,4"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 1)


def _clone_sibling():
    """Forks a child whose parent is the template's parent (clone with CLONE_PARENT), so
    the engine waits for the worker as for its own child, at the cost of one fork. Returns
    the pid (0 in the child), or None where that clone is not available."""
    import platform

    syscall_numbers = {"x86_64": 56}  # SYS_clone; its argument order differs elsewhere
    number = syscall_numbers.get(platform.machine())
    if number is None or not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    api = ctypes.pythonapi
    clone_parent = 0x00008000
    # The interpreter's own fork protocol around it: its locks, its threads' state and the
    # os.register_at_fork hooks (random's reseeding) as os.fork() runs them.
    api.PyOS_BeforeFork()
    pid = libc.syscall(number, clone_parent | signal.SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        api.PyOS_AfterFork_Child()
        return 0
    api.PyOS_AfterFork_Parent()
    if pid < 0:
        return None
    return pid


def _fork_worker(fds, env):
    """Starts a worker the engine can wait for, and returns its pid. One clone makes it a
    sibling of the template where the system allows; otherwise two forks orphan it, and the
    engine (a child subreaper) adopts it once the middle process has exited."""
    pid = _clone_sibling()
    if pid == 0:
        _run_worker(fds, env)
    if pid is not None:
        return pid
    pid_read, pid_write = os.pipe()
    middle = os.fork()
    if middle == 0:
        try:
            os.close(pid_read)
            worker = os.fork()
            if worker == 0:
                os.close(pid_write)
                _run_worker(fds, env)
            os.write(pid_write, struct.pack("<q", worker))
        finally:
            os._exit(0)
    os.close(pid_write)
    data = b""
    while len(data) < 8:
        chunk = os.read(pid_read, 8 - len(data))
        if not chunk:
            break
        data += chunk
    os.close(pid_read)
    os.waitpid(middle, 0)
    return struct.unpack("<q", data)[0] if len(data) == 8 else -1


def _parse_env(block):
    env = {}
    for entry in block.split(b"\0"):
        if b"=" in entry:
            key, _, value = entry.partition(b"=")
            env[os.fsdecode(key)] = os.fsdecode(value)
    return env


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "--fd" or not argv[1].isdigit():
        raise SystemExit("usage: python -m rivulet._template --fd N")
    control = socket.socket(fileno=int(argv[1]))
    os.set_inheritable(control.fileno(), False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the engine decides when we end
    _preload()
    # Objects alive now are never collected: the collector would otherwise touch (and so
    # copy) every page of them in every worker.
    gc.collect()
    gc.freeze()
    control.send(b"ready " + os.fsencode(sys.executable))
    fd_bytes = struct.calcsize("3i")
    while True:
        try:
            block, ancillary, _, _ = control.recvmsg(1 << 20, socket.CMSG_SPACE(fd_bytes))
        except InterruptedError:
            continue
        if not block and not ancillary:
            return 0
        fds = []
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.extend(struct.unpack("%di" % (len(data) // 4), data[: len(data) // 4 * 4]))
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            control.send(b"0")
            continue
        try:
            pid = _fork_worker(fds, _parse_env(block))
        except OSError:
            pid = -1
        finally:
            for fd in fds:
                os.close(fd)
        control.send(str(pid).encode())


if __name__ == "__main__":
    sys.exit(main())
