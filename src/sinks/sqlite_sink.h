#pragma once

// The `sqlite` sink: appends every batch to a table of a SQLite database, exactly once.
//
// Options: `path` (the database file, created if missing) and `table` (created from the
// query's schema if missing; an existing table must have a column of every field's name).
//
// Each batch is one transaction that inserts its rows and records its batch id in the
// progress table `_rivulet_sink_progress` of the same database:
//
//   table_name TEXT PRIMARY KEY, query_id TEXT, checkpoint_location TEXT, batch_id
//   INTEGER
//
// so a batch is in the table whole or not at all, and a batch the engine re-delivers
// after a crash (an id at or below the recorded one) is skipped. The row also says which
// query owns the table: another query is refused, naming both. Commits are durable
// (synchronous = FULL).
//
// Column types: booleans and integers are INTEGER, floats REAL, strings TEXT, binary
// BLOB; decimals are TEXT (exact); dates "2024-01-02" and timestamps
// "2024-01-02 03:04:05.123456" (UTC) are TEXT, which SQLite's date functions read;
// arrays, maps and structs are TEXT holding Spark's JSON of the value. SQLite has no NaN:
// it stores a NaN as NULL.

#include <memory>

#include "rivulet/sink.h"

namespace rivulet {

Result<std::unique_ptr<Sink>> MakeSqliteSink(const Options& options);

}  // namespace rivulet
