// Reads an Arrow IPC file or stream with Arrow JS and prints its schema and rows as
// canonical JSON: {"fields": [{"name", "type", "nullable", "metadata"}], "batches": [[row]]}.
// Usage: node read_ipc.mjs PATH

import { readFileSync } from 'node:fs';
import { A, batchRows } from './common.mjs';

const bytes = readFileSync(process.argv[2]);
const table = A.tableFromIPC(bytes);
const describe = (f) => ({
  name: f.name,
  type: String(f.type),
  nullable: f.nullable,
  metadata: Object.fromEntries(f.metadata),
  children: (f.type.children || []).map(describe),
});
console.log(JSON.stringify({
  fields: table.schema.fields.map(describe),
  batches: table.batches.map(batchRows),
}));
