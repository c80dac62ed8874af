#include "cli/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

namespace rivulet::cli {
namespace {

sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

StopOnSignal::StopOnSignal() {
  sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

void StopOnSignal::Watch(std::function<void()> stop, std::function<void()> abort) {
  std::thread([stop = std::move(stop), abort = std::move(abort)] {
    sigset_t signals = StopSignals();
    int received = 0;
    sigwait(&signals, &received);
    stop();
    sigwait(&signals, &received);
    abort();
    _exit(128 + received);
  }).detach();
}

}  // namespace rivulet::cli
