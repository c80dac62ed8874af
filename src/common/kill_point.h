#pragma once

// Named moments at which a test build kills its own process, so that crash tests can stop
// the engine exactly where a power cut or a kill -9 would hurt most. In a build with
// RIVULET_KILL_POINTS defined (CMake option RIVULET_KILL_POINTS, on in the test build),
// the environment variable RIVULET_KILL_POINT=<name>@<batch id> makes KillPoint(name,
// batch id) raise SIGKILL; in any other build KillPoint does nothing and costs nothing.
//
// The points:
//   after-offsets      offsets/N is durable; the batch has not been read
//   sink-write         the sink has written part of the batch, not made it visible
//   after-sink-commit  the sink holds the batch; commits/N is not written
//   after-commit-log   commits/N is durable; the source's commit(end) has not run

#include <cstdint>
#include <string_view>

namespace rivulet {

#ifdef RIVULET_KILL_POINTS
void KillPoint(std::string_view name, int64_t batch_id);
#else
inline void KillPoint(std::string_view, int64_t) {}
#endif

}  // namespace rivulet
