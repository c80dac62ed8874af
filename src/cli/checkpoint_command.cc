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
  for (int64_t id : *offsets) {
    auto entry = cp.Offsets(id);
    if (!entry.ok()) return Fail(entry.status());
    bool committed = std::find(commits->begin(), commits->end(), id) != commits->end();
    std::string end = (*entry)->offsets.empty() || (*entry)->offsets[0].empty()
                          ? "-"
                          : (*entry)->offsets[0].text();
    std::cout << std::setw(8) << id << std::setw(11) << (committed ? "yes" : "no") << end
              << "\n";
  }
  return 0;
}

}  // namespace rivulet::cli
