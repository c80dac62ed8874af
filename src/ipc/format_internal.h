#pragma once

// Constants of the Arrow IPC format shared by the reader and the writer.

#include <cstdint>
#include <string_view>

namespace rivulet::ipc::internal {

constexpr uint32_t kContinuation = 0xFFFFFFFFu;
constexpr std::string_view kFileMagic = "ARROW1";
// The magic at the start of a file is padded to 8 bytes.
constexpr int64_t kFileHeaderSize = 8;
constexpr int16_t kMetadataVersionV5 = 4;

// Slots of the tables the writer produces (the field order of arrow_format.fbs).
namespace slot {
constexpr int kMessageVersion = 0, kMessageHeaderType = 1, kMessageHeader = 2,
              kMessageBodyLength = 3;
constexpr int kSchemaFields = 1;
constexpr int kFieldName = 0, kFieldNullable = 1, kFieldTypeType = 2, kFieldType = 3,
              kFieldChildren = 5, kFieldCustomMetadata = 6;
constexpr int kKeyValueKey = 0, kKeyValueValue = 1;
constexpr int kRecordBatchLength = 0, kRecordBatchNodes = 1, kRecordBatchBuffers = 2,
              kRecordBatchCompression = 3;
constexpr int kBodyCompressionCodec = 0, kBodyCompressionMethod = 1;
constexpr int kFooterVersion = 0, kFooterSchema = 1, kFooterDictionaries = 2,
              kFooterRecordBatches = 3;
}  // namespace slot

// Union member ids of Type and MessageHeader.
namespace type_id {
constexpr uint8_t kNull = 1, kInt = 2, kFloatingPoint = 3, kBinary = 4, kUtf8 = 5,
                  kBool = 6, kDecimal = 7, kDate = 8, kTimestamp = 10, kList = 12,
                  kStruct = 13, kMap = 17, kDuration = 18;
}  // namespace type_id
namespace header_id {
constexpr uint8_t kSchema = 1, kDictionaryBatch = 2, kRecordBatch = 3;
}  // namespace header_id

// Enum values.
constexpr int16_t kPrecisionSingle = 1, kPrecisionDouble = 2;
constexpr int16_t kDateUnitDay = 0;
constexpr int16_t kTimeUnitMicrosecond = 2;

}  // namespace rivulet::ipc::internal
