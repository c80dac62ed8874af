"""rivulet.types: PySpark's type classes, StructType's API, Row and the DDL parser."""

import json
import os
import pickle

import pytest

from rivulet.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DateType,
    DayTimeIntervalType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    Row,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    VariantType,
    _parse_datatype_json_string,
    _parse_datatype_string,
    _parse_ddl_schema,
)

from conftest import TESTS_DIR


def test_atomic_types_have_sparks_names():
    expected = [
        (NullType(), "void", "void"),
        (StringType(), "string", "string"),
        (BinaryType(), "binary", "binary"),
        (BooleanType(), "boolean", "boolean"),
        (DateType(), "date", "date"),
        (TimestampType(), "timestamp", "timestamp"),
        (TimestampNTZType(), "timestamp_ntz", "timestamp_ntz"),
        (DoubleType(), "double", "double"),
        (FloatType(), "float", "float"),
        (ByteType(), "tinyint", "byte"),
        (ShortType(), "smallint", "short"),
        (IntegerType(), "int", "integer"),
        (LongType(), "bigint", "long"),
        (DecimalType(10, 2), "decimal(10,2)", "decimal(10,2)"),
    ]
    for data_type, simple, json_name in expected:
        assert data_type.simpleString() == simple
        assert data_type.jsonValue() == json_name
        assert _parse_datatype_json_string(json.dumps(json_name)) == data_type


def test_interval_day_to_second_and_variant_have_sparks_names():
    interval = DayTimeIntervalType(DayTimeIntervalType.DAY, DayTimeIntervalType.SECOND)
    assert interval == DayTimeIntervalType() and VariantType() is VariantType()
    for data_type, name, ddl, text in [
        (interval, "interval day to second", "INTERVAL DAY TO SECOND", "DayTimeIntervalType(0, 3)"),
        (VariantType(), "variant", "VARIANT", "VariantType()"),
    ]:
        assert data_type.simpleString() == data_type.jsonValue() == name
        assert repr(data_type) == text
        assert _parse_datatype_json_string(json.dumps(name)) == data_type
        assert _parse_datatype_string(ddl) == data_type
        assert StructType([StructField("x", data_type)]).toDDL() == "x " + ddl
    assert _parse_datatype_string("array<variant>") == ArrayType(VariantType())


def test_parameterless_types_are_singletons_and_compare_by_value():
    assert IntegerType() is IntegerType()
    assert DecimalType(5, 1) == DecimalType(5, 1)
    assert DecimalType(5, 1) != DecimalType(5, 2)
    assert DecimalType().simpleString() == "decimal(10,0)"
    assert repr(ArrayType(IntegerType())) == "ArrayType(IntegerType(), True)"


def test_struct_type_add_iterates_names_and_indexes():
    schema = (
        StructType()
        .add("a", IntegerType())
        .add("b", "string", False)
        .add(StructField("c", ArrayType(LongType())))
        .add("d", "map<string,int>")
    )
    assert [f.name for f in schema] == ["a", "b", "c", "d"]
    assert schema.fieldNames() == ["a", "b", "c", "d"]
    assert len(schema) == 4
    assert schema["b"] == StructField("b", StringType(), False)
    assert schema[0].dataType == IntegerType()
    assert schema[1:3].fieldNames() == ["b", "c"]
    assert schema.simpleString() == "struct<a:int,b:string,c:array<bigint>,d:map<string,int>>"
    with pytest.raises(KeyError, match="No StructField named zz"):
        schema["zz"]
    with pytest.raises(IndexError, match="StructType index out of range"):
        schema[9]
    with pytest.raises(ValueError, match="Must specify DataType"):
        StructType().add("x")


def test_struct_type_json_is_sparks_and_round_trips():
    schema = StructType([
        StructField("id", IntegerType(), False),
        StructField("m", MapType(StringType(), DoubleType(), False), True, {"comment": "c"}),
    ])
    assert json.loads(schema.json()) == {
        "type": "struct",
        "fields": [
            {"name": "id", "type": "integer", "nullable": False, "metadata": {}},
            {
                "name": "m",
                "type": {"type": "map", "keyType": "string", "valueType": "double", "valueContainsNull": False},
                "nullable": True,
                "metadata": {"comment": "c"},
            },
        ],
    }
    assert StructType.fromJson(json.loads(schema.json())) == schema
    assert _parse_datatype_json_string(schema.json()) == schema
    assert schema.toDDL() == "id INT NOT NULL, m MAP<STRING, DOUBLE> COMMENT 'c'"


def test_row_by_keyword_keeps_order_and_nests():
    row = Row(id=1, point=Row(x=1.0, y=2.0), name="a")
    assert row == (1, (1.0, 2.0), "a")
    assert row.id == 1 and row["name"] == "a" and row.point.y == 2.0
    assert "point" in row and "missing" not in row
    assert row.asDict() == {"id": 1, "point": Row(x=1.0, y=2.0), "name": "a"}
    assert row.asDict(recursive=True) == {"id": 1, "point": {"x": 1.0, "y": 2.0}, "name": "a"}
    assert repr(row) == "Row(id=1, point=Row(x=1.0, y=2.0), name='a')"
    assert pickle.loads(pickle.dumps(row)).point.x == 1.0
    with pytest.raises(AttributeError):
        row.missing
    with pytest.raises(RuntimeError, match="Row is read-only"):
        row.id = 2


def test_row_factory_and_positional_rows():
    Person = Row("name", "age")
    alice = Person("Alice", 11)
    assert alice.name == "Alice" and alice.age == 11
    assert repr(Row(1, "x")) == "<Row(1, 'x')>"
    with pytest.raises(ValueError, match="Can not use both args and kwargs"):
        Row(1, a=2)
    with pytest.raises(ValueError, match="expected 2 values but got"):
        Person(1, 2, 3)


def test_ddl_parser_agrees_with_the_engine_on_the_shared_cases():
    with open(os.path.join(TESTS_DIR, "ddl_cases.json")) as f:
        cases = json.load(f)
    assert len(cases) >= 30
    for case in cases:
        if "error" in case:
            with pytest.raises(ValueError) as error:
                _parse_ddl_schema(case["ddl"])
            assert str(error.value) == case["error"], case["ddl"]
        else:
            assert _parse_ddl_schema(case["ddl"]).jsonValue() == case["json"], case["ddl"]


def test_parse_datatype_string_also_takes_a_lone_type():
    assert _parse_datatype_string("map<string, array<int>>") == MapType(StringType(), ArrayType(IntegerType()))
    assert _parse_datatype_string("a: int, b: string").fieldNames() == ["a", "b"]
    with pytest.raises(ValueError, match="at position 2: unknown type 'foo'"):
        _parse_datatype_string("a foo")
