#include <algorithm>
#include <iomanip>
#include <iostream>

#include "checkpoint/checkpoint.h"
#include "cli/commands.h"

namespace rivulet::cli {

int CheckpointShow(const std::string& dir) {
  auto checkpoint = checkpoint::Checkpoint::OpenReadOnly(dir);
  if (!checkpoint.ok()) return Fail(checkpoint.status());
  auto& cp = **checkpoint;
  auto offsets = cp.OffsetBatchIds();
  if (!offsets.ok()) return Fail(offsets.status());
  auto commits = cp.CommitBatchIds();
  if (!commits.ok()) return Fail(commits.status());
  std::cout << "checkpoint: " << dir << "\n"
            << "query id:   " << cp.query_id() << "\n"
            << "batches:    " << offsets->size() << " logged, " << commits->size()
            << " committed\n\n"
            << std::left << std::setw(8) << "batch" << std::setw(11) << "committed"
            << "end offset\n";
  // The query may be running: retention can remove an old file between the listing and
  // the read (it is left out), and an unreadable file is shown as damaged, not the end.
  int damaged = 0;
  for (int64_t id : *offsets) {
    auto entry = cp.Offsets(id);
    if (entry.ok() && !entry->has_value()) continue;  // purged meanwhile
    bool committed = std::find(commits->begin(), commits->end(), id) != commits->end();
    std::string end;
    if (!entry.ok()) {
      end = "damaged: " + entry.status().message();
      ++damaged;
    } else if ((*entry)->offsets.empty() || (*entry)->offsets[0].empty()) {
      end = "-";
    } else {
      end = (*entry)->offsets[0].text();
    }
    std::cout << std::setw(8) << id << std::setw(11) << (committed ? "yes" : "no") << end
              << "\n";
  }
  if (damaged > 0) {
    std::cout << "\n"
              << damaged << " offsets file(s) cannot be read; a query replays only "
              << "its last logged batch, so only damage there stops it\n";
  }
  return 0;
}

}  // namespace rivulet::cli
