"""Spark SQL data types, with the surface of ``pyspark.sql.types`` that data sources use.

Class names, constructors, ``simpleString()``, ``jsonValue()`` and ``json()`` follow PySpark, so
a schema built here serialises to the same JSON that Spark (and the rivulet engine) reads. DDL
strings ("id INT, name STRING NOT NULL") are parsed by :func:`_parse_datatype_string`, which
accepts the same language as the engine's C++ parser.
"""

import json as _json
import re as _re

__all__ = [
    "DataType",
    "NullType",
    "CharType",
    "VarcharType",
    "StringType",
    "BinaryType",
    "BooleanType",
    "DateType",
    "TimestampType",
    "TimestampNTZType",
    "DecimalType",
    "DoubleType",
    "FloatType",
    "ByteType",
    "IntegerType",
    "LongType",
    "ShortType",
    "DayTimeIntervalType",
    "YearMonthIntervalType",
    "CalendarIntervalType",
    "VariantType",
    "VariantVal",
    "ArrayType",
    "MapType",
    "StructField",
    "StructType",
    "UserDefinedType",
    "Row",
]


class DataType:
    """Base class of every type. Types compare by class and parameters."""

    def __repr__(self):
        return self.__class__.__name__ + "()"

    def __hash__(self):
        return hash(str(self))

    def __eq__(self, other):
        return isinstance(other, self.__class__) and self.__dict__ == other.__dict__

    def __ne__(self, other):
        return not self.__eq__(other)

    @classmethod
    def typeName(cls):
        return cls.__name__[: -len("Type")].lower()

    def simpleString(self):
        return self.typeName()

    def jsonValue(self):
        return self.typeName()

    def json(self):
        return _json.dumps(self.jsonValue(), separators=(",", ":"), sort_keys=True)

    def needConversion(self):
        return False

    def toInternal(self, obj):
        return obj

    def fromInternal(self, obj):
        return obj

    @classmethod
    def fromDDL(cls, ddl):
        """Parses a DDL type ("map<string, int>") or schema ("a INT, b STRING")."""
        return _parse_datatype_string(ddl)


class _Singleton(type):
    """Parameterless types have one instance, as in PySpark."""

    _instances = {}

    def __call__(cls):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__()
        return cls._instances[cls]


class AtomicType(DataType):
    """Types that are not nested."""


class NumericType(AtomicType):
    pass


class IntegralType(NumericType, metaclass=_Singleton):
    pass


class FractionalType(NumericType):
    pass


class NullType(DataType, metaclass=_Singleton):
    @classmethod
    def typeName(cls):
        return "void"


class StringType(AtomicType, metaclass=_Singleton):
    pass


class CharType(AtomicType):
    """char(n); the engine stores it as a string."""

    def __init__(self, length):
        self.length = length

    def simpleString(self):
        return "char(%d)" % self.length

    def jsonValue(self):
        return self.simpleString()

    def __repr__(self):
        return "CharType(%d)" % self.length


class VarcharType(AtomicType):
    """varchar(n); the engine stores it as a string."""

    def __init__(self, length):
        self.length = length

    def simpleString(self):
        return "varchar(%d)" % self.length

    def jsonValue(self):
        return self.simpleString()

    def __repr__(self):
        return "VarcharType(%d)" % self.length


class BinaryType(AtomicType, metaclass=_Singleton):
    pass


class BooleanType(AtomicType, metaclass=_Singleton):
    pass


class DateType(AtomicType, metaclass=_Singleton):
    pass


class TimestampType(AtomicType, metaclass=_Singleton):
    """Microseconds since the epoch in UTC; Python values are datetimes."""


class TimestampNTZType(AtomicType, metaclass=_Singleton):
    """A wall-clock timestamp without a time zone."""

    @classmethod
    def typeName(cls):
        return "timestamp_ntz"


class DecimalType(FractionalType):
    def __init__(self, precision=10, scale=0):
        self.precision = precision
        self.scale = scale
        self.hasPrecisionInfo = True

    def simpleString(self):
        return "decimal(%d,%d)" % (self.precision, self.scale)

    def jsonValue(self):
        return self.simpleString()

    def __repr__(self):
        return "DecimalType(%d,%d)" % (self.precision, self.scale)


class DoubleType(FractionalType, metaclass=_Singleton):
    pass


class FloatType(FractionalType, metaclass=_Singleton):
    pass


class ByteType(IntegralType):
    def simpleString(self):
        return "tinyint"


class ShortType(IntegralType):
    def simpleString(self):
        return "smallint"


class IntegerType(IntegralType):
    def simpleString(self):
        return "int"


class LongType(IntegralType):
    def simpleString(self):
        return "bigint"


class _IntervalType(AtomicType):
    """An ANSI interval from startField to endField; subclasses name their fields."""

    _fields = {}

    def __init__(self, startField=None, endField=None):
        first, last = min(self._fields), max(self._fields)
        self.startField = first if startField is None else startField
        self.endField = last if endField is None else endField

    def simpleString(self):
        start = self._fields[self.startField]
        end = self._fields[self.endField]
        if start == end:
            return "interval %s" % start
        return "interval %s to %s" % (start, end)

    def jsonValue(self):
        return self.simpleString()

    def __repr__(self):
        return "%s(%d, %d)" % (type(self).__name__, self.startField, self.endField)


class DayTimeIntervalType(_IntervalType):
    DAY, HOUR, MINUTE, SECOND = 0, 1, 2, 3
    _fields = {DAY: "day", HOUR: "hour", MINUTE: "minute", SECOND: "second"}


class YearMonthIntervalType(_IntervalType):
    YEAR, MONTH = 0, 1
    _fields = {YEAR: "year", MONTH: "month"}


class CalendarIntervalType(DataType, metaclass=_Singleton):
    @classmethod
    def typeName(cls):
        return "interval"


class VariantType(AtomicType, metaclass=_Singleton):
    """Semi-structured values; Python values are :class:`VariantVal`."""


class VariantVal:
    """A variant value: Spark's variant binary encoding (the Parquet Variant spec), as its
    ``value`` and ``metadata`` bytes, with PySpark's API. ``parseJson`` builds one from JSON
    as Spark's parse_json does; ``toJson`` (and ``str``) gives the JSON text Spark's JVM
    gives; ``toPython`` gives dicts, lists and Python scalars. Reading a variant whose bytes
    lie raises PySparkValueError [MALFORMED_VARIANT]."""

    def __init__(self, value, metadata):
        self.value = value
        self.metadata = metadata

    def __str__(self):
        return self.toJson()

    def __repr__(self):
        return "VariantVal(%r, %r)" % (self.value, self.metadata)

    def toPython(self):
        from rivulet.sql import _variant

        return _variant.to_python(self.value, self.metadata)

    def toJson(self, zone_id="UTC"):
        """The JSON text; timestamps are shown in the time zone ``zone_id`` (an IANA name)."""
        from rivulet.sql import _variant

        return _variant.to_json(self.value, self.metadata, zone_id)

    @classmethod
    def parseJson(cls, json_str):
        from rivulet.sql import _variant

        value, metadata = _variant.parse_json(json_str)
        return cls(value, metadata)


class ArrayType(DataType):
    def __init__(self, elementType, containsNull=True):
        assert isinstance(elementType, DataType), "elementType %s should be a DataType" % (
            elementType,
        )
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self):
        return "array<%s>" % self.elementType.simpleString()

    def __repr__(self):
        return "ArrayType(%s, %s)" % (self.elementType, self.containsNull)

    def jsonValue(self):
        return {
            "type": self.typeName(),
            "elementType": self.elementType.jsonValue(),
            "containsNull": self.containsNull,
        }

    @classmethod
    def fromJson(cls, json):
        return ArrayType(_parse_datatype_json_value(json["elementType"]), json["containsNull"])


class MapType(DataType):
    def __init__(self, keyType, valueType, valueContainsNull=True):
        assert isinstance(keyType, DataType), "keyType %s should be a DataType" % (keyType,)
        assert isinstance(valueType, DataType), "valueType %s should be a DataType" % (
            valueType,
        )
        self.keyType = keyType
        self.valueType = valueType
        self.valueContainsNull = valueContainsNull

    def simpleString(self):
        return "map<%s,%s>" % (self.keyType.simpleString(), self.valueType.simpleString())

    def __repr__(self):
        return "MapType(%s, %s, %s)" % (self.keyType, self.valueType, self.valueContainsNull)

    def jsonValue(self):
        return {
            "type": self.typeName(),
            "keyType": self.keyType.jsonValue(),
            "valueType": self.valueType.jsonValue(),
            "valueContainsNull": self.valueContainsNull,
        }

    @classmethod
    def fromJson(cls, json):
        return MapType(
            _parse_datatype_json_value(json["keyType"]),
            _parse_datatype_json_value(json["valueType"]),
            json["valueContainsNull"],
        )


class StructField(DataType):
    """A column: name, type, nullability and free-form metadata (a column's comment is kept
    in metadata["comment"], as Spark does)."""

    def __init__(self, name, dataType, nullable=True, metadata=None):
        assert isinstance(dataType, DataType), "dataType %s should be a DataType" % (dataType,)
        assert isinstance(name, str), "field name %s should be a string" % (name,)
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata or {}

    def simpleString(self):
        return "%s:%s" % (self.name, self.dataType.simpleString())

    def __repr__(self):
        return "StructField('%s', %s, %s)" % (self.name, self.dataType, self.nullable)

    def jsonValue(self):
        return {
            "name": self.name,
            "type": self.dataType.jsonValue(),
            "nullable": self.nullable,
            "metadata": self.metadata,
        }

    @classmethod
    def fromJson(cls, json):
        return StructField(
            json["name"],
            _parse_datatype_json_value(json["type"]),
            json.get("nullable", True),
            json.get("metadata"),
        )

    def getComment(self):
        return self.metadata.get("comment")

    def toDDL(self):
        return _field_ddl(self, " ")


class StructType(DataType):
    """A list of StructFields; also the schema of a data source."""

    def __init__(self, fields=None):
        self.fields = list(fields) if fields else []
        self.names = [f.name for f in self.fields]
        assert all(isinstance(f, StructField) for f in self.fields), (
            "fields should be a list of StructField"
        )

    def add(self, field, data_type=None, nullable=True, metadata=None):
        """Appends a field and returns self, so calls chain:
        ``StructType().add("a", IntegerType()).add("b", "string")``. The type may be a
        DataType, a JSON type name ("integer") or a DDL type ("array<int>")."""
        if isinstance(field, StructField):
            self.fields.append(field)
            self.names.append(field.name)
            return self
        if isinstance(field, str) and data_type is None:
            raise ValueError("Must specify DataType if passing name of struct_field to create.")
        if isinstance(data_type, str):
            data_type = _parse_type_name(data_type)
        self.fields.append(StructField(field, data_type, nullable, metadata))
        self.names.append(field)
        return self

    def __iter__(self):
        return iter(self.fields)

    def __len__(self):
        return len(self.fields)

    def __getitem__(self, key):
        if isinstance(key, str):
            for field in self.fields:
                if field.name == key:
                    return field
            raise KeyError("No StructField named %s" % key)
        if isinstance(key, int):
            try:
                return self.fields[key]
            except IndexError:
                raise IndexError("StructType index out of range") from None
        if isinstance(key, slice):
            return StructType(self.fields[key])
        raise TypeError("StructType keys should be strings, integers or slices")

    def __eq__(self, other):
        return isinstance(other, StructType) and self.fields == other.fields

    def __hash__(self):
        return hash(str(self))

    def fieldNames(self):
        return list(self.names)

    def simpleString(self):
        return "struct<%s>" % ",".join(f.simpleString() for f in self.fields)

    def __repr__(self):
        return "StructType([%s])" % ", ".join(repr(f) for f in self.fields)

    def jsonValue(self):
        return {"type": self.typeName(), "fields": [f.jsonValue() for f in self.fields]}

    @classmethod
    def fromJson(cls, json):
        return StructType([StructField.fromJson(f) for f in json["fields"]])

    def toDDL(self):
        """The DDL form the engine prints: "id INT, name STRING NOT NULL"."""
        return ", ".join(_field_ddl(f, " ") for f in self.fields)


class UserDefinedType(DataType):
    """Base of user-defined types: values are converted to ``sqlType()`` by ``serialize``."""

    @classmethod
    def sqlType(cls):
        raise NotImplementedError("UDT must implement sqlType().")

    @classmethod
    def module(cls):
        raise NotImplementedError("UDT must implement module().")

    def serialize(self, obj):
        raise NotImplementedError("UDT must implement serialize().")

    def deserialize(self, datum):
        raise NotImplementedError("UDT must implement deserialize().")

    def simpleString(self):
        return "udt"

    def __eq__(self, other):
        return type(self) == type(other)

    def __hash__(self):
        return hash(type(self))


# JSON names of the parameterless types, as ``typeName()`` spells them.
_atomic_json_names = {
    t.typeName(): t
    for t in (
        StringType,
        BinaryType,
        BooleanType,
        DateType,
        TimestampType,
        TimestampNTZType,
        DoubleType,
        FloatType,
        ByteType,
        ShortType,
        IntegerType,
        LongType,
        NullType,
        VariantType,
        CalendarIntervalType,
    )
}
_fixed_decimal = _re.compile(r"decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$")
_fixed_char = _re.compile(r"(char|varchar)\(\s*(\d+)\s*\)$")
_interval = _re.compile(r"interval (year|month|day|hour|minute|second)(?: to (year|month|day|hour|minute|second))?$")


def _parse_datatype_json_string(json_string):
    """Parses Spark's JSON form of a type (``StructType.json()``)."""
    return _parse_datatype_json_value(_json.loads(json_string))


def _parse_datatype_json_value(json_value):
    if not isinstance(json_value, dict):
        if json_value in _atomic_json_names:
            return _atomic_json_names[json_value]()
        if json_value == "decimal":
            return DecimalType()
        m = _fixed_decimal.match(json_value) if isinstance(json_value, str) else None
        if m:
            return DecimalType(int(m.group(1)), int(m.group(2)))
        m = _fixed_char.match(json_value) if isinstance(json_value, str) else None
        if m:
            cls = CharType if m.group(1) == "char" else VarcharType
            return cls(int(m.group(2)))
        m = _interval.match(json_value) if isinstance(json_value, str) else None
        if m:
            return _interval_type(m.group(1), m.group(2) or m.group(1))
        raise ValueError("Could not parse datatype: %s" % (json_value,))
    kind = json_value.get("type")
    if kind == "struct":
        return StructType.fromJson(json_value)
    if kind == "array":
        return ArrayType.fromJson(json_value)
    if kind == "map":
        return MapType.fromJson(json_value)
    raise ValueError("Could not parse datatype: %s" % (json_value,))


def _interval_type(start, end):
    day_time = {v: k for k, v in DayTimeIntervalType._fields.items()}
    year_month = {v: k for k, v in YearMonthIntervalType._fields.items()}
    if start in day_time and end in day_time:
        return DayTimeIntervalType(day_time[start], day_time[end])
    if start in year_month and end in year_month:
        return YearMonthIntervalType(year_month[start], year_month[end])
    raise ValueError("Could not parse datatype: interval %s to %s" % (start, end))


def _parse_type_name(name):
    """A type given by name to ``StructType.add``: a JSON name or a DDL type."""
    try:
        return _parse_datatype_json_value(name)
    except ValueError:
        return _DdlParser(name).parse_single_type()


# ---------------------------------------------------------------------------------------------
# DDL. The grammar, positions and messages are the engine's (src/core/ddl_parser.cc), so a
# schema string means the same on both sides:
#   schema  := fields | STRUCT '<' fields '>'
#   fields  := empty | field (',' field)*
#   field   := name [':'] type [NOT NULL] [COMMENT string]
#   name    := [A-Za-z0-9_]+ (not all digits) | '`' (any char, `` for `)* '`'
#   type    := BOOLEAN | TINYINT | BYTE | SMALLINT | SHORT | INT | INTEGER | BIGINT | LONG
#            | FLOAT | REAL | DOUBLE | STRING | BINARY | DATE | TIMESTAMP | TIMESTAMP_LTZ
#            | TIMESTAMP_NTZ | VOID | NULL
#            | (DECIMAL | DEC | NUMERIC) ['(' int [',' int] ')']
#            | (CHAR | VARCHAR) '(' int ')'            (read as STRING, as Spark does)
#            | INTERVAL DAY TO SECOND | VARIANT
#            | ARRAY '<' type '>' | MAP '<' type ',' type '>' | STRUCT '<' fields '>'
#   string  := '\'' ... '\'' | '"' ... '"'   (backslash escapes)
# Keywords are case-insensitive. Errors name the 0-based character position:
# "at position 3: unknown type 'foo'".
# ---------------------------------------------------------------------------------------------

_SIMPLE_DDL = {
    "BOOLEAN": BooleanType,
    "TINYINT": ByteType,
    "BYTE": ByteType,
    "SMALLINT": ShortType,
    "SHORT": ShortType,
    "INT": IntegerType,
    "INTEGER": IntegerType,
    "BIGINT": LongType,
    "LONG": LongType,
    "FLOAT": FloatType,
    "REAL": FloatType,
    "DOUBLE": DoubleType,
    "STRING": StringType,
    "BINARY": BinaryType,
    "DATE": DateType,
    "TIMESTAMP": TimestampType,
    "TIMESTAMP_LTZ": TimestampType,
    "TIMESTAMP_NTZ": TimestampNTZType,
    "VARIANT": VariantType,
    "VOID": NullType,
    "NULL": NullType,
}
_MAX_DDL_DEPTH = 100
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_SPACE = frozenset(" \t\n\r")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


class _DdlParser:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def _error(self, pos, message):
        return ValueError("at position %d: %s" % (pos, message))

    def _skip_space(self):
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def _peek_word(self):
        self._skip_space()
        end = self.pos
        while end < len(self.text) and self.text[end] in _WORD_CHARS:
            end += 1
        return self.text[self.pos : end]

    def _peek(self, c):
        self._skip_space()
        return self.pos < len(self.text) and self.text[self.pos] == c

    def _consume_char(self, c):
        if not self._peek(c):
            return False
        self.pos += 1
        return True

    def _consume_keyword(self, upper):
        word = self._peek_word()
        if word.upper() != upper:
            return False
        self.pos += len(word)
        return True

    def _expected(self, what):
        word = self._peek_word()
        if self.pos >= len(self.text):
            found = "end of input"
        elif word:
            found = "'%s'" % word
        else:
            found = "'%s'" % self.text[self.pos]
        return self._error(self.pos, "expected %s, found %s" % (what, found))

    def _expect_char(self, c):
        if not self._consume_char(c):
            raise self._expected("'%s'" % c)

    def _expect_end(self, what):
        self._skip_space()
        if self.pos != len(self.text):
            raise self._expected(what)

    def parse_schema(self):
        self._skip_space()
        start = self.pos
        if self._peek_word().upper() == "STRUCT":
            self.pos += len("STRUCT")
            struct_form = self._peek("<")
            self.pos = start
            if struct_form:
                struct = self._type(0)
                self._expect_end("end of input")
                return StructType(struct.fields)
        return StructType(self._fields(False, 0))

    def parse_single_type(self):
        result = self._type(0)
        self._expect_end("end of input")
        return result

    def _name(self, what):
        self._skip_space()
        if self._peek("`"):
            start = self.pos
            self.pos += 1
            out = []
            while True:
                if self.pos >= len(self.text):
                    raise self._error(start, "unterminated quoted name")
                c = self.text[self.pos]
                self.pos += 1
                if c == "`":
                    if self.pos < len(self.text) and self.text[self.pos] == "`":
                        self.pos += 1
                    else:
                        return "".join(out)
                out.append(c)
        word = self._peek_word()
        if not word or word.isdigit():
            raise self._expected(what)
        self.pos += len(word)
        return word

    def _int(self):
        self._skip_space()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in "0123456789":
            self.pos += 1
        if self.pos == start:
            raise self._expected("an integer")
        digits = self.text[start : self.pos]
        if int(digits) > 2**31 - 1:
            raise self._error(start, "integer '%s' is too large" % digits)
        return int(digits)

    def _string(self):
        self._skip_space()
        if self.pos >= len(self.text) or self.text[self.pos] not in "'\"":
            raise self._expected("a string literal")
        start = self.pos
        quote = self.text[self.pos]
        self.pos += 1
        out = []
        while True:
            if self.pos >= len(self.text):
                raise self._error(start, "unterminated string literal")
            c = self.text[self.pos]
            self.pos += 1
            if c == quote:
                return "".join(out)
            if c == "\\" and self.pos < len(self.text):
                c = self.text[self.pos]
                self.pos += 1
                c = _ESCAPES.get(c, c)
            out.append(c)

    def _decimal_args(self, type_pos):
        precision, scale = 10, 0
        if self._consume_char("("):
            precision = self._int()
            if self._consume_char(","):
                scale = self._int()
            self._expect_char(")")
        full = "decimal(%d,%d)" % (precision, scale)
        if not 1 <= precision <= 38:
            raise self._error(type_pos, "invalid %s: precision must be between 1 and 38" % full)
        if not 0 <= scale <= precision:
            raise self._error(
                type_pos, "invalid %s: scale must be between 0 and the precision" % full
            )
        return DecimalType(precision, scale)

    def _type(self, depth):
        self._skip_space()
        type_pos = self.pos
        if depth > _MAX_DDL_DEPTH:
            raise self._error(type_pos, "types nested deeper than %d levels" % _MAX_DDL_DEPTH)
        word = self._peek_word()
        if not word:
            raise self._expected("a type")
        self.pos += len(word)
        upper = word.upper()
        if upper in _SIMPLE_DDL:
            return _SIMPLE_DDL[upper]()
        if upper in ("DECIMAL", "DEC", "NUMERIC"):
            return self._decimal_args(type_pos)
        if upper in ("CHAR", "VARCHAR"):
            self._expect_char("(")
            self._int()
            self._expect_char(")")
            return StringType()
        if upper == "ARRAY":
            self._expect_char("<")
            element = self._type(depth + 1)
            self._expect_char(">")
            return ArrayType(element, True)
        if upper == "MAP":
            self._expect_char("<")
            key = self._type(depth + 1)
            self._expect_char(",")
            value = self._type(depth + 1)
            self._expect_char(">")
            return MapType(key, value, True)
        if upper == "STRUCT":
            self._expect_char("<")
            return StructType(self._fields(True, depth + 1))
        if upper == "INTERVAL":
            return self._interval(type_pos)
        # TIME has no Arrow path from a Python source in Spark (without
        # spark.sql.timeType.enabled); rivulet refuses it with Spark's error.
        if upper == "TIME":
            raise self._error(
                type_pos,
                "[UNSUPPORTED_TIME_TYPE] The data type TIME is not supported. SQLSTATE: 0A000",
            )
        raise self._error(type_pos, "unknown type '%s'" % word)

    _INTERVAL_UNITS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")

    def _interval(self, type_pos):
        """INTERVAL DAY TO SECOND, the one day-time interval that Arrow carries (as
        duration[us]). Spark refuses the rest when a Python source's rows come back through
        Arrow: YEAR [TO MONTH] | MONTH at once, any other day-time range as a mismatch with
        (0, 3) at the first read; both are refused here, with Spark's error class."""

        def unit():
            word = self._peek_word().upper()
            if word in self._INTERVAL_UNITS:
                self.pos += len(word)
                return self._INTERVAL_UNITS.index(word)
            return -1

        start = unit()
        if start < 0:
            raise self._expected("an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)")
        end = start
        if self._peek_word().upper() == "TO":
            self.pos += 2
            end = unit()
            if end < 0:
                raise self._expected("an interval unit after TO")
        if start <= 1:
            raise self._error(
                type_pos,
                "[UNSUPPORTED_DATA_TYPE_FOR_ARROW_CONVERSION] YearMonthIntervalType(%d, %d) is "
                "not supported in conversion to Arrow." % (start, end),
            )
        day, second = self._INTERVAL_UNITS.index("DAY"), self._INTERVAL_UNITS.index("SECOND")
        if (start, end) == (day, second):
            return DayTimeIntervalType(DayTimeIntervalType.DAY, DayTimeIntervalType.SECOND)
        name = "INTERVAL " + self._INTERVAL_UNITS[start]
        if end != start:
            name += " TO " + self._INTERVAL_UNITS[end]
        raise self._error(
            type_pos,
            "[ARROW_TYPE_MISMATCH] %s (DayTimeIntervalType(%d, %d)) does not survive Arrow, "
            "which carries day-time intervals as DayTimeIntervalType(0, 3); use INTERVAL DAY "
            "TO SECOND." % (name, start - day, end - day),
        )

    def _fields(self, in_struct, depth):
        """The fields of a schema (up to the end of input) or of a struct (up to and
        including its closing '>')."""
        kind = "field" if in_struct else "column"
        fields, names = [], set()
        self._skip_space()
        empty = self._peek(">") if in_struct else self.pos == len(self.text)
        while not empty:
            self._skip_space()
            name_pos = self.pos
            name = self._name("a %s name" % kind)
            if name in names:
                raise self._error(name_pos, "duplicate %s name '%s'" % (kind, name))
            names.add(name)
            self._consume_char(":")
            data_type = self._type(depth)
            nullable, metadata = True, {}
            if self._consume_keyword("NOT"):
                if not self._consume_keyword("NULL"):
                    raise self._expected("NULL")
                nullable = False
            if self._consume_keyword("COMMENT"):
                metadata["comment"] = self._string()
            fields.append(StructField(name, data_type, nullable, metadata))
            if not self._consume_char(","):
                break
        if in_struct:
            if not self._consume_char(">"):
                raise self._expected("',' or '>'")
        else:
            self._expect_end("',' or end of input")
        return fields


def _parse_ddl_schema(ddl):
    """Parses a DDL schema exactly as the engine's ParseDdl does; ValueError on bad input."""
    return _DdlParser(ddl).parse_schema()


def _parse_datatype_string(s):
    """Parses a DDL schema ("a INT, b STRING") or type ("array<int>"), as PySpark's function
    of the same name does: a column list gives a StructType, a lone type gives that type."""
    try:
        return _DdlParser(s).parse_schema()
    except ValueError as schema_error:
        try:
            return _DdlParser(s).parse_single_type()
        except ValueError:
            raise schema_error from None


def _quote_if_needed(name):
    if name and all(c.isalnum() or c == "_" for c in name) and not name.isdigit():
        return name
    return "`%s`" % name.replace("`", "``")


def _type_ddl(data_type):
    if isinstance(data_type, ArrayType):
        return "ARRAY<%s>" % _type_ddl(data_type.elementType)
    if isinstance(data_type, MapType):
        return "MAP<%s, %s>" % (_type_ddl(data_type.keyType), _type_ddl(data_type.valueType))
    if isinstance(data_type, StructType):
        return "STRUCT<%s>" % ", ".join(_field_ddl(f, ": ") for f in data_type.fields)
    return data_type.simpleString().upper()


def _field_ddl(field, separator):
    out = _quote_if_needed(field.name) + separator + _type_ddl(field.dataType)
    if not field.nullable:
        out += " NOT NULL"
    comment = field.metadata.get("comment")
    if comment:
        out += " COMMENT '%s'" % comment.replace("\\", "\\\\").replace("'", "\\'")
    return out


# ---------------------------------------------------------------------------------------------
# Row
# ---------------------------------------------------------------------------------------------


def _create_row(fields, values):
    row = Row(*values)
    row.__fields__ = fields
    return row


class Row(tuple):
    """A row: a tuple whose fields may also be reached by name.

    ``Row(id=1, name="a")`` keeps the keyword order; ``Row(1, "a")`` has no names;
    ``Person = Row("id", "name")`` makes a row factory, and ``Person(1, "a")`` a named row.
    """

    def __new__(cls, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Can not use both args and kwargs to create Row")
        if kwargs:
            row = tuple.__new__(cls, list(kwargs.values()))
            row.__fields__ = list(kwargs)
            return row
        return tuple.__new__(cls, args)

    def asDict(self, recursive=False):
        if not hasattr(self, "__fields__"):
            raise TypeError("Cannot convert a Row class into dict")
        if not recursive:
            return dict(zip(self.__fields__, self))

        def convert(obj):
            if isinstance(obj, Row):
                return obj.asDict(True)
            if isinstance(obj, list):
                return [convert(o) for o in obj]
            if isinstance(obj, dict):
                return {k: convert(v) for k, v in obj.items()}
            return obj

        return dict(zip(self.__fields__, (convert(v) for v in self)))

    def __contains__(self, item):
        if hasattr(self, "__fields__"):
            return item in self.__fields__
        return super().__contains__(item)

    def __call__(self, *args):
        """A row of field names makes rows with those names."""
        if len(args) > len(self):
            raise ValueError(
                "Can not create Row with fields %s, expected %d values but got %s"
                % (self, len(self), args)
            )
        return _create_row(list(self), args)

    def __getitem__(self, item):
        if isinstance(item, (int, slice)):
            return super().__getitem__(item)
        try:
            idx = self.__fields__.index(item)
        except (AttributeError, ValueError):
            raise ValueError(item) from None
        return super().__getitem__(idx)

    def __getattr__(self, item):
        if item.startswith("__"):
            raise AttributeError(item)
        try:
            idx = self.__fields__.index(item)
        except (AttributeError, ValueError):
            raise AttributeError(item) from None
        return self[idx]

    def __setattr__(self, key, value):
        if key != "__fields__":
            raise RuntimeError("Row is read-only")
        self.__dict__[key] = value

    def __reduce__(self):
        if hasattr(self, "__fields__"):
            return (_create_row, (self.__fields__, tuple(self)))
        return tuple.__reduce__(self)

    def __repr__(self):
        if hasattr(self, "__fields__"):
            return "Row(%s)" % ", ".join("%s=%r" % (k, v) for k, v in zip(self.__fields__, self))
        return "<Row(%s)>" % ", ".join(repr(v) for v in self)
