"""The exceptions of ``pyspark.errors`` that data sources raise and catch.

An error has a class (``NOT_IMPLEMENTED``) and parameters; its message is
"[CLASS] text" with the parameters filled into the class's template, as in PySpark.
"""

__all__ = [
    "PySparkException",
    "PySparkNotImplementedError",
    "PySparkValueError",
    "PySparkTypeError",
    "PySparkRuntimeError",
    "PySparkAssertionError",
    "PySparkKeyError",
    "PySparkIndexError",
    "PySparkAttributeError",
    "PySparkIOError",
    "AnalysisException",
    "IllegalArgumentException",
    "StreamingQueryException",
    "PythonException",
    "UnknownException",
]

_TEMPLATES = {
    "NOT_IMPLEMENTED": "<feature> is not implemented.",
    "SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE": (
        "The simple stream reader's read() returned rows but its end offset <end_offset> "
        "equals its start offset <start_offset>; a read that returns rows must advance "
        "the offset."
    ),
    "DATA_SOURCE_RETURN_SCHEMA_MISMATCH": (
        "Return schema mismatch in the result from 'read' method. Expected: <expected> "
        "columns, Found: <actual> columns. Make sure the returned values match the required "
        "output schema."
    ),
    "DATA_SOURCE_INVALID_RETURN_TYPE": (
        "Unsupported return type ('<type>') from Python data source '<name>'. Expected types: "
        "<supported_types>."
    ),
    "DATA_SOURCE_TYPE_MISMATCH": "Expected <expected>, but got <actual>.",
    "UNSUPPORTED_OPERATION": "<operation> is not supported.",
    "MALFORMED_VARIANT": "Variant binary is malformed. Please check the data source is valid.",
    "UNKNOWN_PRIMITIVE_TYPE_IN_VARIANT": (
        "Unknown primitive type with id <id> was found in a variant value."
    ),
    "VARIANT_DUPLICATE_KEY": (
        "Failed to build variant because of a duplicate object key `<key>`."
    ),
    "INVALID_CONF_VALUE": (
        'The value <value> in the config "<conf>" is invalid: expected a time such as '
        "10ms, 1s or 10 (milliseconds)."
    ),
}


class PySparkException(Exception):
    """Base of the errors raised by the data source API."""

    def __init__(
        self,
        message=None,
        errorClass=None,
        messageParameters=None,
        contexts=None,
        data=None,
        error_class=None,
        message_parameters=None,
    ):
        self._errorClass = errorClass or error_class
        self._messageParameters = messageParameters or message_parameters or {}
        if message is None:
            message = self._format()
        self._message = message
        super().__init__(message)

    def _format(self):
        if self._errorClass is None:
            return ", ".join("%s=%s" % kv for kv in self._messageParameters.items())
        template = _TEMPLATES.get(self._errorClass)
        if template is None:
            text = ", ".join("%s: %s" % kv for kv in self._messageParameters.items())
        else:
            text = template
            for key, value in self._messageParameters.items():
                text = text.replace("<%s>" % key, str(value))
        return "[%s] %s" % (self._errorClass, text)

    def getErrorClass(self):
        return self._errorClass

    def getCondition(self):
        return self._errorClass

    def getMessageParameters(self):
        return self._messageParameters

    def getMessage(self):
        return self._message

    def getSqlState(self):
        return None

    def __str__(self):
        return self._message


class PySparkNotImplementedError(PySparkException, NotImplementedError):
    pass


class PySparkValueError(PySparkException, ValueError):
    pass


class PySparkTypeError(PySparkException, TypeError):
    pass


class PySparkRuntimeError(PySparkException, RuntimeError):
    pass


class PySparkAssertionError(PySparkException, AssertionError):
    pass


class PySparkKeyError(PySparkException, KeyError):
    pass


class PySparkIndexError(PySparkException, IndexError):
    pass


class PySparkAttributeError(PySparkException, AttributeError):
    pass


class PySparkIOError(PySparkException, IOError):
    pass


class AnalysisException(PySparkException):
    pass


class IllegalArgumentException(PySparkException):
    pass


class StreamingQueryException(PySparkException):
    pass


class PythonException(PySparkException):
    pass


class UnknownException(PySparkException):
    pass


def _not_implemented(feature):
    return PySparkNotImplementedError(
        errorClass="NOT_IMPLEMENTED", messageParameters={"feature": feature}
    )


# The engine's status codes (rivulet._engine) as the exceptions PySpark raises for them.
_ENGINE_ERRORS = {
    "InvalidArgument": IllegalArgumentException,
    "NotFound": AnalysisException,
    "Busy": AnalysisException,
    "UserCodeError": PythonException,
    "WorkerLost": PythonException,
    "Corruption": PySparkRuntimeError,
    "IOError": PySparkIOError,
    "Cancelled": PySparkRuntimeError,
    "Internal": PySparkRuntimeError,
}


def _from_engine(code, message):
    """The exception for an engine status: called by rivulet._engine to raise it."""
    return _ENGINE_ERRORS.get(code, PySparkRuntimeError)(message)
