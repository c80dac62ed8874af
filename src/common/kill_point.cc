#include "common/kill_point.h"

#ifdef RIVULET_KILL_POINTS

#include <csignal>
#include <cstdlib>
#include <string>

namespace rivulet {

void KillPoint(std::string_view name, int64_t batch_id) {
  static const std::string wanted = [] {
    const char* value = std::getenv("RIVULET_KILL_POINT");
    return std::string(value != nullptr ? value : "");
  }();
  if (wanted.empty()) return;
  const std::string here = std::string(name) + "@" + std::to_string(batch_id);
  if (wanted == here) std::raise(SIGKILL);
}

}  // namespace rivulet

#endif
