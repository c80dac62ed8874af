#pragma once

// The `postgres` sink: appends every batch to a PostgreSQL table, exactly once.
//
// Options: `url`, a libpq connection string ("host=... dbname=... user=... password=...")
// or URI ("postgresql://user:password@host:port/db"), and `table`, optionally
// schema-qualified ("analytics.events"). The table is created from the query's schema
// when it is missing; an existing one must have a column of every field's name.
//
// Each batch is one transaction: its rows go in with COPY, and its batch id into the
// progress table `_rivulet_sink_progress` of the table's schema,
//
//   table_name TEXT PRIMARY KEY, query_id TEXT, checkpoint_location TEXT, batch_id BIGINT
//
// so a batch is in the table whole or not at all, a batch the engine re-delivers after a
// crash (an id at or below the recorded one) is skipped, and the row says which query
// owns the table: another query is refused, naming both. The batch's row is locked for
// the transaction, so two writers of one table never both write a batch.
//
// Column types: BOOLEAN, SMALLINT (byte, short), INTEGER, BIGINT, REAL, DOUBLE PRECISION,
// NUMERIC(p,s), TEXT, BYTEA, DATE, TIMESTAMPTZ (timestamp), TIMESTAMP (timestamp_ntz);
// arrays, maps and structs are JSONB holding Spark's JSON of the value.
//
// The password is never printed: the description and every message name the server by
// its other connection settings.

#include <memory>

#include "rivulet/sink.h"

namespace rivulet {

Result<std::unique_ptr<Sink>> MakePostgresSink(const Options& options);

}  // namespace rivulet
