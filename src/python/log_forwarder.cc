#include "python/log_forwarder.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

namespace rivulet::python {
namespace {

// Lines of a worker's output kept for the message that reports its death.
constexpr size_t kTailLines = 20;

}  // namespace

std::string SourceLogLine(std::string_view label, std::string_view line) {
  std::string out;
  out.reserve(label.size() + line.size() + 10);
  out.append("[source ").append(label).append("] ").append(line);
  return out;
}

LogSink StderrLogSink() {
  static std::mutex* mu = new std::mutex;
  return [](const std::string& line) {
    std::lock_guard lock(*mu);
    std::string out = line + "\n";
    std::cerr.write(out.data(), static_cast<std::streamsize>(out.size()));
    std::cerr.flush();
  };
}

void LogStream::set_label(const std::string& label) {
  std::lock_guard lock(mu_);
  label_ = label;
}

std::string LogStream::label() const {
  std::lock_guard lock(mu_);
  return label_;
}

std::string LogStream::Tail(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [&] { return eof_ || closed_; });
  std::string out;
  for (const std::string& line : tail_) out += "\n" + line;
  return out;
}

void LogStream::Close(std::chrono::milliseconds grace) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, grace, [&] { return eof_ || closed_; });
  close_requested_ = true;
  lock.unlock();
  forwarder_->Wake();
  lock.lock();
  cv_.wait(lock, [&] { return closed_; });
}

void LogStream::Emit(std::string_view line) {
  std::string prefixed;
  {
    std::lock_guard lock(mu_);
    tail_.emplace_back(line);
    if (tail_.size() > kTailLines) tail_.pop_front();
    prefixed = SourceLogLine(label_, line);
  }
  sink_(prefixed);
}

LogForwarder::LogForwarder() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  thread_ = std::thread([this] { Run(); });
}

LogForwarder::~LogForwarder() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  Wake();
  thread_.join();
  ::close(wake_fd_);
}

std::shared_ptr<LogStream> LogForwarder::Add(int fd, const std::string& label,
                                             LogSink sink) {
  auto stream = std::make_shared<LogStream>();
  stream->forwarder_ = this;
  stream->fd_ = fd;
  stream->sink_ = sink ? std::move(sink) : StderrLogSink();
  stream->label_ = label;
  {
    std::lock_guard lock(mu_);
    streams_.push_back(stream);
  }
  Wake();
  return stream;
}

void LogForwarder::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

bool LogForwarder::Drain(LogStream& s) {
  char buf[16384];
  ssize_t n = ::read(s.fd_, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) {
    if (!s.pending_.empty()) s.Emit(s.pending_);
    s.pending_.clear();
    return false;
  }
  s.pending_.append(buf, static_cast<size_t>(n));
  size_t start = 0;
  while (true) {
    size_t nl = s.pending_.find('\n', std::max(start, s.scanned_));
    if (nl == std::string::npos) break;
    s.Emit(std::string_view(s.pending_).substr(start, nl - start));
    start = nl + 1;
  }
  // A line past the cap goes out in pieces, so a stream without line breaks cannot grow
  // without bound.
  while (s.pending_.size() - start >= kMaxLineBytes) {
    s.Emit(std::string_view(s.pending_).substr(start, kMaxLineBytes));
    start += kMaxLineBytes;
  }
  s.pending_.erase(0, start);
  s.scanned_ = s.pending_.size();
  return true;
}

void LogForwarder::Run() {
  std::vector<struct pollfd> fds;
  std::vector<std::shared_ptr<LogStream>> polled;
  while (true) {
    {
      std::lock_guard lock(mu_);
      // Streams whose owner asked to close them, or that ended, leave the set here.
      for (auto it = streams_.begin(); it != streams_.end();) {
        LogStream& s = **it;
        std::lock_guard stream_lock(s.mu_);
        if (s.close_requested_ || shutting_down_) {
          if (s.fd_ >= 0) ::close(s.fd_);
          s.fd_ = -1;
          s.closed_ = true;
          s.cv_.notify_all();
          it = streams_.erase(it);
        } else {
          ++it;
        }
      }
      if (shutting_down_) return;
      polled.clear();
      fds.assign(1, {wake_fd_, POLLIN, 0});
      for (const auto& s : streams_) {
        std::lock_guard stream_lock(s->mu_);
        if (s->eof_) continue;
        polled.push_back(s);
        fds.push_back({s->fd_, POLLIN, 0});
      }
    }
    int r = ::poll(fds.data(), fds.size(), -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) {
      uint64_t count;
      (void)!::read(wake_fd_, &count, sizeof count);
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      LogStream& s = *polled[i - 1];
      if (!Drain(s)) {
        std::lock_guard stream_lock(s.mu_);
        s.eof_ = true;
        s.cv_.notify_all();
      }
    }
  }
}

}  // namespace rivulet::python
