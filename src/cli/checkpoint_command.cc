#include <algorithm>
#include <iomanip>
#include <iostream>

#include "checkpoint/checkpoint.h"
#include "checkpoint/damage.h"
#include "cli/commands.h"

namespace rivulet::cli {
namespace {

const char* ActionText(checkpoint::RepairAction action) {
  switch (action) {
    case checkpoint::RepairAction::kMoveAside:
      return "moved to damaged/";
    case checkpoint::RepairAction::kRewriteCommit:
      return "moved to damaged/ and written anew";
    case checkpoint::RepairAction::kNewMetadata:
      return "written anew";
    case checkpoint::RepairAction::kNone:
      break;
  }
  return "left as it is";
}

void PrintDamage(const checkpoint::Damage& damage, const char* verb) {
  std::cout << verb << " " << damage.file << ": it " << damage.problem << "\n  "
            << ActionText(damage.action) << ": " << damage.outcome << "\n";
}

void PrintDamageList(const std::string& dir,
                     const std::vector<checkpoint::Damage>& damage) {
  std::cout << "damage that stops a restart:\n";
  for (const auto& d : damage) std::cout << "  " << d.file << " " << d.problem << "\n";
  std::cout << "`rivulet checkpoint repair " << dir << "` mends what it can\n";
}

}  // namespace

int CheckpointShow(const std::string& dir) {
  auto damage = checkpoint::FindDamage(*Env::Default(), dir);
  if (!damage.ok()) return Fail(damage.status());
  auto checkpoint = checkpoint::Checkpoint::OpenReadOnly(dir);
  if (!checkpoint.ok()) {
    if (damage->empty()) return Fail(checkpoint.status());
    PrintDamageList(dir, *damage);
    return 1;
  }
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
  if (!damage->empty()) {
    std::cout << "\n";
    PrintDamageList(dir, *damage);
  }
  if (damaged > 0) {
    std::cout << "\n"
              << damaged << " offsets file(s) cannot be read; a query replays only "
              << "its last logged batch, so only damage there stops it\n";
  }
  return 0;
}

int CheckpointRepair(const std::string& dir, const std::optional<std::string>& query_id) {
  auto report = checkpoint::Repair(*Env::Default(), dir, {query_id});
  if (!report.ok()) return Fail(report.status());
  for (const auto& damage : report->repaired) PrintDamage(damage, "repaired");
  for (const auto& damage : report->left) PrintDamage(damage, "cannot repair");
  if (!report->left.empty()) {
    std::cout << "checkpoint " << dir << " still cannot run: no repair keeps every row "
              << "exactly once\n";
    return 1;
  }
  std::cout << "checkpoint " << dir
            << (report->repaired.empty() ? " has no damage" : " can run again") << "\n";
  return 0;
}

}  // namespace rivulet::cli
