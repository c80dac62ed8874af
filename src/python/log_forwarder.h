#pragma once

// Forwards what worker processes print, a line at a time, from one thread for all of
// them: a runtime with a hundred Python queries has one forwarding thread, not a hundred.
//
// Each stream is a pipe's read end. Its lines go to the stream's sink prefixed with
// "[source LABEL] "; the last lines are kept for the message that reports a worker's
// death. Only bytes not yet scanned are searched for a line break, and a line longer than
// kMaxLineBytes is passed on in pieces of that size, so output without line breaks costs
// linear time and bounded memory.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rivulet::python {

// Receives each line a worker prints, already prefixed. Called from the forwarding
// thread, one line at a time.
using LogSink = std::function<void(const std::string& line)>;

// A worker's line as the engine logs it: "[source LABEL] line".
std::string SourceLogLine(std::string_view label, std::string_view line);

// Writes lines to the engine's stderr, one write per line.
LogSink StderrLogSink();

inline constexpr size_t kMaxLineBytes = size_t{64} * 1024;

class LogForwarder;

class LogStream {
 public:
  void set_label(const std::string& label);
  std::string label() const;
  // Waits up to `wait` for the end of the output, then returns the last lines, each
  // preceded by a line break.
  std::string Tail(std::chrono::milliseconds wait);
  // Waits up to `grace` for the end of the output, then stops reading and closes the
  // pipe: a grandchild that holds the pipe open cannot hold up its owner.
  void Close(std::chrono::milliseconds grace);

 private:
  friend class LogForwarder;
  void Emit(std::string_view line);

  LogForwarder* forwarder_ = nullptr;
  int fd_ = -1;
  LogSink sink_;
  std::string pending_;
  size_t scanned_ = 0;  // bytes of pending_ known to hold no line break

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string label_;
  std::deque<std::string> tail_;
  bool eof_ = false;
  bool close_requested_ = false;
  bool closed_ = false;
};

class LogForwarder {
 public:
  LogForwarder();
  // Closes every stream still open.
  ~LogForwarder();
  LogForwarder(const LogForwarder&) = delete;
  LogForwarder& operator=(const LogForwarder&) = delete;

  // Starts forwarding from `fd`, which the forwarder now owns.
  std::shared_ptr<LogStream> Add(int fd, const std::string& label, LogSink sink);

 private:
  friend class LogStream;
  void Wake();
  void Run();
  // Reads what `stream` has; false at the end of its output.
  bool Drain(LogStream& stream);

  std::mutex mu_;
  std::vector<std::shared_ptr<LogStream>> streams_;
  bool shutting_down_ = false;
  int wake_fd_ = -1;  // an eventfd
  std::thread thread_;
};

}  // namespace rivulet::python
