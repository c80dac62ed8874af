"""``pyspark.sql.types``'s path for :mod:`rivulet.types`."""

from rivulet.types import *  # noqa: F401,F403
from rivulet.types import __all__  # noqa: F401
from rivulet.types import (  # noqa: F401
    AtomicType,
    FractionalType,
    IntegralType,
    NumericType,
    _create_row,
    _parse_datatype_json_string,
    _parse_datatype_json_value,
    _parse_datatype_string,
)
