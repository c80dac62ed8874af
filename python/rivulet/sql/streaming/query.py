"""PySpark's ``StreamingQuery`` and ``StreamingQueryManager`` (``spark.streams``), on the
engine's query handles (rivulet._engine.Query)."""

import shutil as _shutil
import threading as _threading
import time as _time

from rivulet.errors import StreamingQueryException, _from_engine
from rivulet.sql.streaming.listener import StreamingQueryProgress, _ListenerBridge

__all__ = ["StreamingQuery", "StreamingQueryManager"]


class StreamingQuery:
    """A started query. It stays usable after the query terminates."""

    def __init__(self, session, handle, plan, temp_checkpoint=None):
        self._session = session
        self._handle = handle
        self._plan = plan
        self._temp_checkpoint = temp_checkpoint
        # The exception a foreachBatch function raised, kept as the cause of the query's.
        self._user_error = None

    @property
    def id(self):
        return self._handle.id

    @property
    def runId(self):
        return self._handle.run_id

    @property
    def name(self):
        return self._handle.name or None

    @property
    def isActive(self):
        return self._handle.is_active

    @property
    def status(self):
        message, available, active = self._handle.status()
        return {"message": message, "isDataAvailable": available, "isTriggerActive": active}

    @property
    def lastProgress(self):
        text = self._handle.last_progress()
        return None if text is None else StreamingQueryProgress._from_engine(text)

    @property
    def recentProgress(self):
        return [StreamingQueryProgress._from_engine(t) for t in self._handle.recent_progress()]

    def awaitTermination(self, timeout=None):
        """Waits for the query to end; with a timeout (seconds), returns whether it did.
        Raises StreamingQueryException if it failed. Ctrl-C stops the session's queries
        between batches and raises KeyboardInterrupt."""
        if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
            from rivulet.errors import PySparkValueError

            raise PySparkValueError(
                errorClass="VALUE_NOT_POSITIVE",
                messageParameters={"arg_name": "timeout", "arg_value": type(timeout).__name__},
            )
        try:
            done = self._handle.await_termination(timeout)
        except KeyboardInterrupt:
            self._session.streams._stop_all_on_interrupt()
            raise
        if done:
            self._finish()
            error = self.exception()
            if error is not None:
                raise error
        return done if timeout is not None else None

    def processAllAvailable(self):
        """Waits until the data available now has been processed and committed: until a
        trigger that asked the source after this call found nothing new (an idle query is
        woken to ask at once), or the query ends; raises its error if it failed."""
        try:
            self._handle.process_all_available()
        except KeyboardInterrupt:
            self._session.streams._stop_all_on_interrupt()
            raise
        if not self.isActive:
            self._finish()
            error = self.exception()
            if error is not None:
                raise error

    def stop(self):
        self._handle.stop()
        self._finish()

    def exception(self):
        failure = self._handle.exception()
        if failure is None:
            return None
        code, message = failure
        error = StreamingQueryException(
            "[STREAM_FAILED] Query [id = %s, runId = %s] terminated with exception: %s"
            % (self.id, self.runId, message),
            errorClass="STREAM_FAILED",
            messageParameters={"id": self.id, "runId": self.runId, "message": message},
        )
        error.__cause__ = self._user_error or _from_engine(code, message)
        return error

    def explain(self, extended=False):
        print(self._plan)

    def _finish(self):
        """Once terminated: a temporary checkpoint goes, unless the query failed (Spark keeps
        it then, for the post-mortem)."""
        if self._temp_checkpoint and not self.isActive and self._handle.exception() is None:
            _shutil.rmtree(self._temp_checkpoint, ignore_errors=True)
            self._temp_checkpoint = None

    def __repr__(self):
        return "<rivulet StreamingQuery %s id=%s>" % (self.name or "", self.id)


class StreamingQueryManager:
    """``spark.streams``: the session's queries and listeners."""

    def __init__(self, session):
        self._session = session
        self._queries = {}  # id -> the most recent StreamingQuery started with it
        self._listeners = {}  # id(listener) -> (listener, engine handle)
        self._lock = _threading.Lock()

    def _register(self, query):
        with self._lock:
            self._queries[query.id] = query

    @property
    def active(self):
        ids = self._session._engine.active_ids()
        with self._lock:
            return [self._queries[i] for i in ids if i in self._queries]

    def get(self, id):
        query = self._queries.get(str(id))
        return query if query is not None and query.isActive else None

    def awaitAnyTermination(self, timeout=None):
        try:
            ended = self._session._engine.await_any_termination(timeout)
        except KeyboardInterrupt:
            self._stop_all_on_interrupt()
            raise
        if ended is None:
            return False
        code, message = ended
        if code != "OK":
            failed = [q for q in list(self._queries.values()) if q.exception() is not None]
            for query in failed:
                if message in str(query.exception()):
                    raise query.exception()
            raise StreamingQueryException(message, errorClass="STREAM_FAILED")
        return True if timeout is not None else None

    def resetTerminated(self):
        self._session._engine.reset_terminated()

    def addListener(self, listener):
        handle = self._session._engine.add_listener(_ListenerBridge(listener))
        with self._lock:
            self._listeners[id(listener)] = (listener, handle)

    def removeListener(self, listener):
        with self._lock:
            entry = self._listeners.pop(id(listener), None)
        if entry is not None:
            self._session._engine.remove_listener(entry[1])

    def _stop_all_on_interrupt(self):
        for query in self.active:
            query._handle.request_stop()
        for query in self.active:
            query.stop()

    def _forget_all(self):
        with self._lock:
            self._queries.clear()
            self._listeners.clear()


