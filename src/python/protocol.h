#pragma once

// The engine <-> Python worker protocol (docs/format/worker-protocol.md): length-framed
// messages on a pair of pipes. A message is a code (a function id in a request, a status
// in a reply) and a list of byte-string fields:
//
//   frame := u32 body_length, body
//   body  := u32 code, u32 field_count, (u32 field_length, field bytes)*
//
// All integers are little-endian. The Python side is python/rivulet/worker.py.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/status.h"

namespace rivulet::python {

// Function ids; those Spark's runner has keep Spark's numbers.
enum class FunctionId : uint32_t {
  kInit = 1,
  kCreateReader = 2,
  kPing = 3,
  // A stream writer's calls (rivulet's own ids; Spark runs its writers differently).
  kCreateWriter = 4,
  kWrite = 5,
  kWriterCommit = 6,
  kWriterAbort = 7,
  kInitialOffset = 884,
  kPartitions = 886,
  kCommit = 887,
  kPrepareForTriggerAvailableNow = 889,
  kLatestOffset = 890,
  kReportLatestOffset = 892,
  kStop = 893,
  kReadPartition = 894,
  kSimpleRead = 895,
  kReadBetweenOffsets = 896,
};

// The source method a function id runs, for messages: "latestOffset".
const char* FunctionName(FunctionId id);

enum class ReplyStatus : uint32_t { kOk = 0, kError = 1 };

struct Message {
  uint32_t code = 0;
  std::vector<std::string> fields;
};

// A frame is at most this long (1 GiB): a longer length prefix means a corrupt channel.
inline constexpr uint32_t kMaxFrameBytes = 1u << 30;

// Encodes a whole frame, length prefix included.
std::string EncodeFrame(const Message& message);
// Decodes a frame's body (without its length prefix); every length is checked against the
// body, and a malformed body is a Corruption status.
Result<Message> DecodeBody(std::string_view body);

// `exit_fd`, when not -1, is a descriptor that becomes readable once the peer process has
// exited (its pidfd): the channel then counts as closed even though a process the peer
// forked may still hold the channel's other end. It takes effect when `fd` is
// non-blocking (O_NONBLOCK); on a blocking `fd` the calls only wait on `fd` itself.

// Writes a frame to `fd`, retrying short writes and EINTR. Never raises SIGPIPE: a closed
// reader, or an exited peer, gives an IOError with EPIPE.
Status WriteFrame(int fd, const Message& message, int exit_fd = -1);
// Reads one frame from `fd`. End of input (or an exited peer) before the first byte gives
// nullopt; inside a frame it is a Corruption status.
Result<std::optional<Message>> ReadFrame(int fd, int exit_fd = -1);

}  // namespace rivulet::python
