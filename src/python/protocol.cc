#include "python/protocol.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
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

// Waits until non-blocking `fd` is ready for `events` (true) or the peer behind `exit_fd`
// has exited while `fd` is not ready (false). Data the peer left in the pipe before it
// exited is still read: readiness of `fd` wins.
Result<bool> WaitReady(int fd, short events, int exit_fd) {
  pollfd fds[2] = {{fd, events, 0}, {exit_fd, POLLIN, 0}};
  while (true) {
    const int n = ::poll(fds, exit_fd >= 0 ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("waiting for the python worker: " + ErrnoText(errno));
    }
    if (fds[0].revents != 0) return true;
    if (fds[1].revents != 0) return false;
  }
}

// Reads exactly `size` bytes; returns the count read before end of input.
Result<size_t> ReadFully(int fd, char* out, size_t size, int exit_fd) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        RIVULET_ASSIGN_OR_RETURN(bool ready, WaitReady(fd, POLLIN, exit_fd));
        if (!ready) break;  // the peer exited: nothing more will come
        continue;
      }
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

// Decodes a body of `length` bytes that `read(out, n)` supplies in order. Every length is
// checked against `length` before anything is read or allocated for it, and each field is
// read straight into its own string: a reply of megabytes of rows is copied once.
template <typename Read>
Result<Message> DecodeBodyFrom(size_t length, Read&& read) {
  if (length < 8) {
    return Status::Corruption("worker message of " + std::to_string(length) +
                              " bytes is shorter than its 8-byte header");
  }
  char header[8];
  RIVULET_RETURN_NOT_OK(read(header, 8));
  Message message;
  message.code = GetU32(header);
  uint32_t count = GetU32(header + 4);
  size_t left = length - 8;
  // Each field takes at least its 4-byte length, which bounds the count before reserving.
  if (count > left / 4) {
    return Status::Corruption("worker message claims " + std::to_string(count) +
                              " fields but has room for at most " +
                              std::to_string(left / 4));
  }
  message.fields.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (left < 4) {
      return Status::Corruption("worker message field " + std::to_string(i) +
                                " has no length");
    }
    char size[4];
    RIVULET_RETURN_NOT_OK(read(size, 4));
    left -= 4;
    uint32_t n = GetU32(size);
    if (n > left) {
      return Status::Corruption("worker message field " + std::to_string(i) + " of " +
                                std::to_string(n) +
                                " bytes runs past the end of its frame");
    }
    std::string& field = message.fields.emplace_back(n, '\0');
    RIVULET_RETURN_NOT_OK(read(field.data(), n));
    left -= n;
  }
  if (left != 0) {
    return Status::Corruption("worker message has " + std::to_string(left) +
                              " stray bytes after its fields");
  }
  return message;
}

}  // namespace

const char* FunctionName(FunctionId id) {
  switch (id) {
    case FunctionId::kInit:
      return "init";
    case FunctionId::kCreateReader:
      return "createReader";
    case FunctionId::kPing:
      return "ping";
    case FunctionId::kCreateWriter:
      return "streamWriter";
    case FunctionId::kWrite:
      return "write";
    case FunctionId::kWriterCommit:
      return "commit";
    case FunctionId::kWriterAbort:
      return "abort";
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
  size_t pos = 0;
  return DecodeBodyFrom(body.size(), [&](char* out, size_t n) {
    std::memcpy(out, body.data() + pos, n);
    pos += n;
    return Status::OK();
  });
}

Status WriteFrame(int fd, const Message& message, int exit_fd) {
  std::string frame = EncodeFrame(message);
  SigpipeGuard guard;
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::write(fd, frame.data() + done, frame.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        RIVULET_ASSIGN_OR_RETURN(bool ready, WaitReady(fd, POLLOUT, exit_fd));
        if (!ready) return Status::IOError("writing to the python worker: it exited");
        continue;
      }
      if (errno == EPIPE) guard.raised();
      return Status::IOError("writing to the python worker: " + ErrnoText(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<std::optional<Message>> ReadFrame(int fd, int exit_fd) {
  char head[4];
  RIVULET_ASSIGN_OR_RETURN(size_t got, ReadFully(fd, head, 4, exit_fd));
  if (got == 0) return std::optional<Message>();
  if (got < 4)
    return Status::Corruption("the python worker's channel ended inside a frame header");
  uint32_t length = GetU32(head);
  if (length > kMaxFrameBytes) {
    return Status::Corruption("worker frame of " + std::to_string(length) +
                              " bytes exceeds the 1 GiB limit");
  }
  // Small frames (and the start of big ones) arrive with one read() into a buffer; a big
  // field's remainder is read straight into its string.
  constexpr size_t kBufferBytes = size_t{64} * 1024;
  std::string buffer;
  size_t buffered = 0, taken = 0, body_read = 0;
  auto fill = [&](char* out, size_t n) -> Status {
    RIVULET_ASSIGN_OR_RETURN(size_t now, ReadFully(fd, out, n, exit_fd));
    body_read += now;
    if (now < n) {
      return Status::Corruption("the python worker's channel ended inside a frame (" +
                                std::to_string(body_read) + " of " +
                                std::to_string(length) + " bytes)");
    }
    return Status::OK();
  };
  auto read = [&](char* out, size_t n) -> Status {
    size_t from_buffer = std::min(n, buffered - taken);
    std::memcpy(out, buffer.data() + taken, from_buffer);
    taken += from_buffer;
    out += from_buffer;
    n -= from_buffer;
    if (n == 0) return Status::OK();
    if (n >= kBufferBytes) return fill(out, n);
    // Never past this frame: the bytes after it are the next reply's.
    buffer.resize(std::min<size_t>(kBufferBytes, length - body_read));
    RIVULET_RETURN_NOT_OK(fill(buffer.data(), buffer.size()));
    buffered = buffer.size();
    std::memcpy(out, buffer.data(), n);  // n fits: the body checks bound it by the frame
    taken = n;
    return Status::OK();
  };
  RIVULET_ASSIGN_OR_RETURN(Message message, DecodeBodyFrom(length, read));
  return std::optional<Message>(std::move(message));
}

}  // namespace rivulet::python
