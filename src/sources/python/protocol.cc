#include "sources/python/protocol.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

namespace rivulet::python {
namespace {

void PutU32(std::string& out, uint32_t v) {
  char bytes[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                   static_cast<char>((v >> 16) & 0xff),
                   static_cast<char>((v >> 24) & 0xff)};
  out.append(bytes, 4);
}

uint32_t GetU32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
         static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
}

std::string ErrnoText(int err) { return std::strerror(err); }

// Reads exactly `size` bytes; returns the count read before end of input.
Result<size_t> ReadFully(int fd, char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("reading from the python worker: " + ErrnoText(errno));
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

// Blocks SIGPIPE in the calling thread for the lifetime of the guard and discards a
// SIGPIPE raised meanwhile, so that writing to a dead worker's pipe gives EPIPE instead
// of killing the engine (the engine's own SIGPIPE disposition is left alone).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    already_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
  }
  ~SigpipeGuard() {
    if (raised_ && !already_pending_) {
      const struct timespec zero = {0, 0};
      while (sigtimedwait(&pipe_set_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  void raised() { raised_ = true; }

 private:
  sigset_t pipe_set_;
  sigset_t old_mask_;
  bool already_pending_ = false;
  bool raised_ = false;
};

}  // namespace

const char* FunctionName(FunctionId id) {
  switch (id) {
    case FunctionId::kInit:
      return "init";
    case FunctionId::kCreateReader:
      return "createReader";
    case FunctionId::kInitialOffset:
      return "initialOffset";
    case FunctionId::kPartitions:
      return "partitions";
    case FunctionId::kCommit:
      return "commit";
    case FunctionId::kPrepareForTriggerAvailableNow:
      return "prepareForTriggerAvailableNow";
    case FunctionId::kLatestOffset:
      return "latestOffset";
    case FunctionId::kReportLatestOffset:
      return "reportLatestOffset";
    case FunctionId::kStop:
      return "stop";
    case FunctionId::kReadPartition:
      return "read";
    case FunctionId::kSimpleRead:
      return "read";
    case FunctionId::kReadBetweenOffsets:
      return "readBetweenOffsets";
  }
  return "unknown";
}

std::string EncodeFrame(const Message& message) {
  size_t body = 8;
  for (const std::string& f : message.fields) body += 4 + f.size();
  std::string out;
  out.reserve(4 + body);
  PutU32(out, static_cast<uint32_t>(body));
  PutU32(out, message.code);
  PutU32(out, static_cast<uint32_t>(message.fields.size()));
  for (const std::string& f : message.fields) {
    PutU32(out, static_cast<uint32_t>(f.size()));
    out += f;
  }
  return out;
}

Result<Message> DecodeBody(std::string_view body) {
  if (body.size() < 8) {
    return Status::Corruption("worker message of " + std::to_string(body.size()) +
                              " bytes is shorter than its 8-byte header");
  }
  Message message;
  message.code = GetU32(body.data());
  uint32_t count = GetU32(body.data() + 4);
  size_t pos = 8;
  // Each field takes at least its 4-byte length, which bounds the count before reserving.
  if (count > (body.size() - pos) / 4) {
    return Status::Corruption("worker message claims " + std::to_string(count) +
                              " fields but has room for at most " +
                              std::to_string((body.size() - pos) / 4));
  }
  message.fields.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (body.size() - pos < 4) {
      return Status::Corruption("worker message field " + std::to_string(i) +
                                " has no length");
    }
    uint32_t n = GetU32(body.data() + pos);
    pos += 4;
    if (n > body.size() - pos) {
      return Status::Corruption("worker message field " + std::to_string(i) + " of " +
                                std::to_string(n) +
                                " bytes runs past the end of its frame");
    }
    message.fields.emplace_back(body.substr(pos, n));
    pos += n;
  }
  if (pos != body.size()) {
    return Status::Corruption("worker message has " + std::to_string(body.size() - pos) +
                              " stray bytes after its fields");
  }
  return message;
}

Status WriteFrame(int fd, const Message& message) {
  std::string frame = EncodeFrame(message);
  SigpipeGuard guard;
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::write(fd, frame.data() + done, frame.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) guard.raised();
      return Status::IOError("writing to the python worker: " + ErrnoText(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<std::optional<Message>> ReadFrame(int fd) {
  char head[4];
  RIVULET_ASSIGN_OR_RETURN(size_t got, ReadFully(fd, head, 4));
  if (got == 0) return std::optional<Message>();
  if (got < 4)
    return Status::Corruption("the python worker's channel ended inside a frame header");
  uint32_t length = GetU32(head);
  if (length > kMaxFrameBytes) {
    return Status::Corruption("worker frame of " + std::to_string(length) +
                              " bytes exceeds the 1 GiB limit");
  }
  std::string body(length, '\0');
  RIVULET_ASSIGN_OR_RETURN(got, ReadFully(fd, body.data(), length));
  if (got < length) {
    return Status::Corruption("the python worker's channel ended inside a frame (" +
                              std::to_string(got) + " of " + std::to_string(length) +
                              " bytes)");
  }
  RIVULET_ASSIGN_OR_RETURN(Message message, DecodeBody(body));
  return std::optional<Message>(std::move(message));
}

}  // namespace rivulet::python
