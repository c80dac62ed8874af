#include "python/log_forwarder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rivulet::python {
namespace {

struct Collected {
  std::mutex mu;
  std::vector<std::string> lines;
};

std::shared_ptr<LogStream> Forward(LogForwarder& forwarder, int fd,
                                   const std::shared_ptr<Collected>& out) {
  return forwarder.Add(fd, "w", [out](const std::string& line) {
    std::lock_guard lock(out->mu);
    out->lines.push_back(line);
  });
}

void WriteAllAndClose(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ASSERT_GT(n, 0);
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

TEST(LogForwarderTest, LinesArePrefixedWithTheLabelAndTheLastOnesAreKept) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  LogForwarder forwarder;
  auto out = std::make_shared<Collected>();
  auto stream = Forward(forwarder, fds[0], out);
  WriteAllAndClose(fds[1], "one\ntwo\nthree without a break");
  EXPECT_EQ(stream->Tail(std::chrono::seconds(60)), "\none\ntwo\nthree without a break");
  stream->Close(std::chrono::seconds(0));
  EXPECT_EQ(out->lines, (std::vector<std::string>{"[source w] one", "[source w] two",
                                                  "[source w] three without a break"}));
}

TEST(LogForwarderTest, OutputWithoutLineBreaksGoesOutInCappedPiecesAndNothingIsLost) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  LogForwarder forwarder;
  auto out = std::make_shared<Collected>();
  auto stream = Forward(forwarder, fds[0], out);
  // 20 MB of a progress bar's carriage returns, then one line.
  std::string bytes(size_t{20} * 1024 * 1024, '\r');
  bytes += "done\n";
  std::thread writer([&] { WriteAllAndClose(fds[1], bytes); });
  stream->Tail(std::chrono::minutes(5));
  writer.join();
  stream->Close(std::chrono::seconds(0));
  const std::string prefix = "[source w] ";
  size_t total = 0;
  for (const std::string& line : out->lines) {
    ASSERT_EQ(line.compare(0, prefix.size(), prefix), 0);
    ASSERT_LE(line.size() - prefix.size(), kMaxLineBytes);
    total += line.size() - prefix.size();
  }
  EXPECT_EQ(total, bytes.size() - 1);  // every byte but the line break
  EXPECT_EQ(out->lines.back().substr(out->lines.back().size() - 4), "done");
}

}  // namespace
}  // namespace rivulet::python
