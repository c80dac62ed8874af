#include "core/variant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace rivulet {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

const std::string kNoKeys = FromHex("010000");  // version 1, an empty dictionary

// A primitive value: its type id in the header, then its payload.
template <typename T>
std::string Primitive(uint8_t type, T payload) {
  std::string out(1, static_cast<char>(type << 2));
  out.append(reinterpret_cast<const char*>(&payload), sizeof(T));
  return out;
}
std::string Primitive(uint8_t type) {
  return std::string(1, static_cast<char>(type << 2));
}

std::string Json(const std::string& value, const std::string& metadata = kNoKeys) {
  auto json = VariantToJson(value, metadata);
  EXPECT_TRUE(json.ok()) << json.status().message();
  return json.ok() ? *json : "";
}

// The bytes are PySpark's VariantVal.parseJson of the text; the expected JSON is what
// Spark 4.3's json sink wrote for them.
TEST(VariantTest, ParsedJsonPrintsAsSparksJsonSinkWritesIt) {
  const struct {
    const char* value;
    const char* metadata;
    const char* json;
  } kCases[] = {
      {"020400010203001011121903030002080a0c012001190000000578000402010400020cf9",
       "01050001020304056162636465",
       R"({"a":[1,2.5,"x"],"b":null,"c":true,"d":{"e":-7}})"},
      {"2800d20a1feb8ca954ab0000000000000000", "010000", "12345678901234567890"},
      {"1c408cb5781daf1544", "010000", "1.0E20"},
      {"200100000000", "010000", "0"},
      {"2814c6d7a45b5bebd5071100000000000000", "010000", "3.14159265358979323846"},
      {"0203010200020400140c010c02020103000b0301000702010400020564",
       "01050001020304057a616d6263", R"({"a":2,"m":{"b":[{"c":"d"}]},"z":1})"},
      {"19c3a90a227122", "010000", "\"\xc3\xa9\\n\\\"q\\\"\""},
      {"200101000000", "010000", "0.1"},
      {"1c76830df4f521843e", "010000", "1.5E-7"},
      {"030200020f0c0103020002080c02030100020c03", "010000", "[1,[2,[3]]]"},
      {"1400800000", "010000", "32768"},
      {"180000008000000000", "010000", "2147483648"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(Json(FromHex(c.value), FromHex(c.metadata)), c.json) << c.value;
  }
}

// Types that JSON text cannot make, built by hand; the texts are Spark 4.3's.
TEST(VariantTest, EveryPrimitivePrintsAsSpark) {
  EXPECT_EQ(Json(Primitive(12, int64_t{1704164645123456})),
            "\"2024-01-02 03:04:05.123456+00:00\"");
  EXPECT_EQ(Json(Primitive(13, int64_t{1704164645123456})),
            "\"2024-01-02 03:04:05.123456\"");
  EXPECT_EQ(Json(Primitive(12, int64_t{-1})), "\"1969-12-31 23:59:59.999999+00:00\"");
  EXPECT_EQ(Json(Primitive(11, int32_t{19724})), "\"2024-01-02\"");
  EXPECT_EQ(Json(Primitive(11, int32_t{-1})), "\"1969-12-31\"");
  EXPECT_EQ(Json(Primitive(14, 1.1f)), "1.1");
  EXPECT_EQ(Json(Primitive(14, 1e10f)), "1.0E10");
  EXPECT_EQ(Json(Primitive(15, uint32_t{2}) + std::string("\x00\xff", 2)), "\"AP8=\"");
  std::string uuid(1, static_cast<char>(20 << 2));
  for (int i = 0; i < 16; ++i) uuid += static_cast<char>(i);
  EXPECT_EQ(Json(uuid), "\"00010203-0405-0607-0809-0a0b0c0d0e0f\"");
  auto decimal4 = [](uint8_t scale, int32_t unscaled) {
    return Primitive(8, scale) + std::string(reinterpret_cast<char*>(&unscaled), 4);
  };
  EXPECT_EQ(Json(decimal4(2, 12300)), "123");
  EXPECT_EQ(Json(decimal4(2, -5)), "-0.05");
  EXPECT_EQ(Json(Primitive(7, std::nan(""))), "\"NaN\"");
  EXPECT_EQ(Json(Primitive(7, -HUGE_VAL)), "\"-Infinity\"");
  EXPECT_EQ(Json(Primitive(7, 123.0)), "123.0");
  EXPECT_EQ(Json(Primitive(7, 1e7)), "1.0E7");
  EXPECT_EQ(Json(Primitive(3, int8_t{-5})), "-5");
  EXPECT_EQ(Json(Primitive(16, uint32_t{3}) + "a\x01"
                                              "b"),
            "\"a\\u0001b\"");
  EXPECT_EQ(Json(Primitive(0)), "null");
  EXPECT_EQ(Json(Primitive(1)), "true");
  EXPECT_EQ(Json(Primitive(2)), "false");
  EXPECT_EQ(Json(std::string(1, (5 << 2) | 1) + "hello"), "\"hello\"");
}

TEST(VariantTest, BytesAfterTheValueAreIgnoredAsSparkIgnoresThem) {
  EXPECT_EQ(Json(FromHex("0c0500")), "5");
}

TEST(VariantTest, MalformedBytesAreRefusedWithSparksErrorClass) {
  const struct {
    std::string value;
    std::string metadata;
    const char* why;
  } kCases[] = {
      {"", kNoKeys, "a value is cut short"},
      {Primitive(6, int32_t{1}), kNoKeys, "an integer is cut short"},
      {Primitive(17, int64_t{0}), kNoKeys, "primitive type 17"},
      {FromHex("0c05"), FromHex("020000"), "metadata version 2"},
      {FromHex("0c05"), "", "the metadata is cut short"},
      {std::string(1, (9 << 2) | 1) + "abc", kNoKeys, "a string is cut short"},
      // An object whose one field names key 0 of an empty dictionary.
      {FromHex("0201000000010c05"), kNoKeys, "key id 0"},
      // An array that claims 200 elements in 5 bytes.
      {FromHex("03c8000000"), kNoKeys, "an array's element count"},
      {Primitive(8, uint8_t{10}) + std::string(4, '\0'), kNoKeys, "decimal scale 10"},
  };
  for (const auto& c : kCases) {
    auto json = VariantToJson(c.value, c.metadata);
    ASSERT_FALSE(json.ok()) << c.why;
    EXPECT_EQ(json.status().message(),
              std::string(kMalformedVariant) + " (" + c.why + ")");
  }
}

TEST(VariantTest, NestingIsBoundedSoHostileBytesCannotExhaustTheStack) {
  // 2000 arrays, each holding the next: [[[...null...]]].
  std::string value;
  for (int i = 0; i < 2000; ++i) value += FromHex("03010000");
  value += Primitive(0);
  auto json = VariantToJson(value, kNoKeys);
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("nested deeper than 1000 levels"),
            std::string::npos);
}

}  // namespace
}  // namespace rivulet
