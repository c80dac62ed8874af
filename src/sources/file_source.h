#pragma once

// The seed's file monitor, made sound. New files in a directory are read in a
// deterministic order, and the offset stays one number however many files have been seen.
//
// A file belongs to the batch in which its status-change time (ctime) falls. read(start)
// takes a cutoff from the coarse real-time clock, the one the kernel stamps ctime with,
// and then lists the directory: every file with start <= ctime < cutoff, in (ctime, name)
// order. A file moved in later gets a ctime >= cutoff, so it lands in a later batch and
// none is missed or read twice. The offset {"changedBeforeNs": cutoff} is all it keeps.
//
// Files must be complete when they appear: write them elsewhere and rename them in, as
// with Spark's file sources. Names starting with '.' or '_' are ignored: they are
// temporary files.
//
// Options: path (required), wholetext (default false: one row per line, "file STRING,
// value STRING"; true: one row per file with its whole content).

#include <memory>

#include "rivulet/source.h"

namespace rivulet {

Result<std::unique_ptr<DataSource>> MakeFileSource(const Options& options);

}  // namespace rivulet
