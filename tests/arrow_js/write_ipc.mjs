// Writes Arrow IPC streams and files with Arrow JS for rivulet to read, each with the
// values rivulet must read from it: OUT/<name>.arrows (or .arrow for a file) and
// OUT/<name>.expected.json = {"schema": Spark simpleString, "batches": [[row]]} in canonical
// JSON, or {"error": message} for a stream rivulet must refuse.
// Usage: node write_ipc.mjs OUT

import { readFileSync, writeFileSync } from 'node:fs';
import { A, arrowField, makeBatch } from './common.mjs';

const out = process.argv[2];
const here = new URL('.', import.meta.url).pathname;

function save(name, bytes, expected) {
  writeFileSync(`${out}/${name}`, bytes);
  writeFileSync(`${out}/${name.replace(/\.arrows?$/, '')}.expected.json`, JSON.stringify(expected));
}

function stream(batches, options = {}) {
  const writer = new A.RecordBatchStreamWriter(options);
  writer.reset(undefined, batches[0].schema);
  for (const b of batches) writer.write(b);
  writer.finish();
  return writer.toUint8Array(true);
}

// Dictionary batches in a stream: one flag per dictionary message, true for a delta.
function dictionaryMessages(bytes) {
  const reader = new A.MessageReader(bytes);
  const deltas = [];
  for (let m; (m = reader.readMessage());) {
    if (m.isDictionaryBatch()) deltas.push(m.header().isDelta);
    if (m.bodyLength > 0) reader.readMessageBody(m.bodyLength);
  }
  return deltas;
}

// ---- every engine type, from the shared fixture ----
const fixture = JSON.parse(readFileSync(`${here}/fixtures/all_types.json`, 'utf8'));
const schema = new A.Schema(fixture.schema.fields.map(arrowField));
const batches = fixture.batches.map((rows) => makeBatch(schema, rows));
const allTypes = { schema: 'fixture:all_types', batches: fixture.batches };
save('all_types.arrows', stream(batches), allTypes);
save('all_types.arrow', A.RecordBatchFileWriter.writeAll(batches).toUint8Array(true), allTypes);
save('all_types_lz4.arrows', stream(batches, { compressionType: A.CompressionType.LZ4_FRAME }),
     allTypes);

// ---- strings as tableFromArrays writes them: dictionary-encoded ----
const words = ['red', 'green', 'red', 'blue', 'green', 'red'];
const table = A.tableFromArrays({ color: words, n: Int32Array.from([1, 2, 3, 4, 5, 6]) });
save('table_from_arrays.arrows', A.tableToIPC(table, 'stream'), {
  schema: 'struct<color:string,n:int>',
  batches: [words.map((w, i) => [w, i + 1])],
});

// ---- a dictionary that grows batch by batch: delta dictionary messages ----
const builder = A.makeBuilder({ type: new A.Dictionary(new A.Utf8(), new A.Int16(), 7), nullValues: [null] });
const parts = [['a', 'b', 'a'], ['c', null, 'a'], ['d', 'b']];
const chunks = parts.map((part) => { part.forEach((v) => builder.append(v)); return builder.flush(); });
builder.finish();
const grown = new A.Table({ tag: new A.Vector(chunks) });
const grownBytes = A.tableToIPC(grown, 'stream');
const deltas = dictionaryMessages(grownBytes);
if (!deltas.includes(true)) throw new Error(`expected delta dictionaries, got ${deltas}`);
save('dictionary_deltas.arrows', grownBytes, {
  schema: 'struct<tag:string>',
  batches: parts.map((p) => p.map((v) => [v])),
  dictionary_messages: deltas,
});

// ---- Arrow types outside the engine's set, read as the nearest engine type ----
const vec = (type, values) => A.vectorFromArray(values, type);
const foreign = new A.Table({
  u8: vec(new A.Uint8(), [0, 255, null]),
  u16: vec(new A.Uint16(), [0, 65535, null]),
  u32: vec(new A.Uint32(), [0, 4294967295, null]),
  u64: A.makeVector({ type: new A.Uint64(), data: BigUint64Array.from([0n, 18446744073709551615n, 7n]) }),
  large_s: vec(new A.LargeUtf8(), ['x', 'long ü', null]),
  large_b: vec(new A.LargeBinary(), [new Uint8Array([1, 2]), new Uint8Array([]), null]),
  ts_s: A.makeVector({ type: new A.TimestampSecond('UTC'), data: BigInt64Array.from([0n, -1n, 1700000000n]) }),
  ts_ms: A.makeVector({ type: new A.TimestampMillisecond(), data: BigInt64Array.from([1n, -1n, 1700000000123n]) }),
  ts_ns: A.makeVector({ type: new A.TimestampNanosecond('Europe/Paris'), data: BigInt64Array.from([1999n, -1n, 1700000000123456789n]) }),
  d64: A.makeVector({ type: new A.DateMillisecond(), data: BigInt64Array.from([0n, 86400000n * 19000n, -86400000n]) }),
  fsb: A.makeVector({ type: new A.FixedSizeBinary(2), data: new Uint8Array([0xab, 0xcd, 0, 1, 0xff, 0xee]) }),
  fsl: new A.Vector([A.makeData({
    type: new A.FixedSizeList(2, new A.Field('v', new A.Int16(), true)), length: 3, nullCount: 0,
    child: A.makeData({ type: new A.Int16(), length: 6, nullCount: 0, data: Int16Array.from([1, 2, 3, 4, -5, 6]) }),
  })]),
});
save('foreign_types.arrows', A.tableToIPC(foreign, 'stream'), {
  schema: 'struct<u8:smallint,u16:int,u32:bigint,u64:decimal(20,0),large_s:string,' +
          'large_b:binary,ts_s:timestamp,ts_ms:timestamp_ntz,ts_ns:timestamp,d64:date,' +
          'fsb:binary,fsl:array<smallint>>',
  batches: [[
    [0, 0, '0', '0', 'x', '0102', '0', '1000', '1', 0, 'abcd', [1, 2]],
    [255, 65535, '4294967295', '18446744073709551615', 'long ü', '', '-1000000', '-1000', '-1',
     19000, '0001', [3, 4]],
    [null, null, null, '7', null, null, '1700000000000000', '1700000000123000',
     '1700000000123456', -1, 'ffee', [-5, 6]],
  ]],
});

// ---- types the engine refuses ----
save('float16.arrows', A.tableToIPC(new A.Table({ h: vec(new A.Float16(), [1.5]) }), 'stream'),
     { error: "column 'h': unsupported Arrow type float16" });
save('time32.arrows', A.tableToIPC(new A.Table({
  t: A.makeVector({ type: new A.TimeMillisecond(), data: Int32Array.from([5]) }) }), 'stream'),
     { error: "column 't': unsupported Arrow type time32[ms]" });
