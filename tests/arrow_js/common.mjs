// Shared helpers of the Arrow JS checks: Spark JSON types as Arrow JS types, canonical JSON
// values (the form described in src/ipc/ipc_testing.h) read from Arrow JS vectors, and
// Arrow JS data built from canonical JSON.

import * as A from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';

// Arrow JS leaves compression codecs to the application; these are independent
// implementations of LZ4 frames and zstd. Arrow JS views decompressed bytes as typed arrays
// in place, so each result is copied to a fresh, aligned array.
A.compressionRegistry.set(A.CompressionType.LZ4_FRAME, {
  encode: (data) => lz4.compress(data),
  decode: (data) => new Uint8Array(lz4.decompress(data)),
});
A.compressionRegistry.set(A.CompressionType.ZSTD, {
  decode: (data) => new Uint8Array(zstdDecompress(data)),
});

export { A };

// ---- Spark JSON types -> Arrow JS types ----

export function arrowType(t) {
  if (typeof t === 'string') {
    const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
    if (decimal) return new A.Decimal(Number(decimal[2]), Number(decimal[1]), 128);
    switch (t) {
      case 'boolean': return new A.Bool();
      case 'byte': return new A.Int8();
      case 'short': return new A.Int16();
      case 'integer': return new A.Int32();
      case 'long': return new A.Int64();
      case 'float': return new A.Float32();
      case 'double': return new A.Float64();
      case 'string': return new A.Utf8();
      case 'binary': return new A.Binary();
      case 'date': return new A.DateDay();
      case 'timestamp': return new A.TimestampMicrosecond('UTC');
      case 'timestamp_ntz': return new A.TimestampMicrosecond();
      case 'void': return new A.Null();
    }
    throw new Error(`no Arrow type for ${t}`);
  }
  switch (t.type) {
    case 'array':
      return new A.List(new A.Field('element', arrowType(t.elementType), t.containsNull));
    case 'map':
      return new A.Map_(new A.Field('entries', new A.Struct([
        new A.Field('key', arrowType(t.keyType), false),
        new A.Field('value', arrowType(t.valueType), t.valueContainsNull),
      ]), false));
    case 'struct':
      return new A.Struct(t.fields.map(arrowField));
  }
  throw new Error(`no Arrow type for ${JSON.stringify(t)}`);
}

export function arrowField(f) {
  const metadata = new Map(Object.entries(f.metadata || {}));
  return new A.Field(f.name, arrowType(f.type), f.nullable, metadata);
}

// ---- canonical JSON from Arrow JS ----

function decimalString(words, scale) {
  let v = 0n;
  for (let k = 3; k >= 0; --k) v = (v << 32n) | BigInt(words[k]);
  if (v >= 1n << 127n) v -= 1n << 128n;
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (negative ? '-' : '') + digits;
}

function floatJson(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return x;
}

function hex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

const kMicros = [1000000n, 1000n, 1n];

// The canonical JSON of row i of a single-chunk vector.
export function canon(vec, i) {
  const type = vec.type;
  if (!vec.isValid(i)) return null;
  const d = vec.data[0];
  const at = d.offset + i;
  if (A.DataType.isDictionary(type)) {
    return canon(d.dictionary, Number(d.values[at]));
  }
  switch (type.typeId) {
    case A.Type.Null: return null;
    case A.Type.Bool: return vec.get(i);
    case A.Type.Int: {
      const v = d.values[at];
      return type.bitWidth === 64 ? v.toString() : v;
    }
    case A.Type.Float: return floatJson(d.values[at]);
    case A.Type.Decimal: return decimalString(d.values.subarray(4 * at, 4 * at + 4), type.scale);
    case A.Type.Utf8:
    case A.Type.LargeUtf8: return vec.get(i);
    case A.Type.Binary:
    case A.Type.LargeBinary: return hex(vec.get(i));
    case A.Type.Date: {
      const v = d.values[at];
      return type.unit === A.DateUnit.DAY ? v : Number(BigInt(v) / 86400000n);
    }
    case A.Type.Timestamp: {
      const v = BigInt(d.values[at]);
      return (type.unit === A.TimeUnit.NANOSECOND ? v / 1000n : v * kMicros[type.unit]).toString();
    }
    case A.Type.List:
    case A.Type.Map: {
      const child = vec.getChildAt(0);
      const begin = Number(d.valueOffsets[at]);
      const end = Number(d.valueOffsets[at + 1]);
      const out = [];
      for (let j = begin; j < end; ++j) {
        if (type.typeId === A.Type.Map) {
          out.push([canon(child.getChildAt(0), j), canon(child.getChildAt(1), j)]);
        } else {
          out.push(canon(child, j));
        }
      }
      return out;
    }
    case A.Type.Struct: {
      const out = {};
      type.children.forEach((f, k) => { out[f.name] = canon(vec.getChildAt(k), i); });
      return out;
    }
  }
  throw new Error(`no canonical form for ${type}`);
}

export function batchRows(batch) {
  const rows = [];
  for (let i = 0; i < batch.numRows; ++i) {
    rows.push(batch.schema.fields.map((_, k) => canon(batch.getChildAt(k), i)));
  }
  return rows;
}

// ---- Arrow JS data from canonical JSON ----

function bitmap(flags) {
  const out = new Uint8Array((flags.length + 7) >> 3);
  flags.forEach((f, i) => { if (f) out[i >> 3] |= 1 << (i & 7); });
  return out;
}

function decimalWords(text, scale) {
  const negative = text.startsWith('-');
  let [whole, fraction = ''] = text.replace('-', '').split('.');
  fraction = fraction.padEnd(scale, '0');
  let v = BigInt(whole + fraction);
  if (negative) v = -v;
  if (v < 0n) v += 1n << 128n;
  const words = new Uint32Array(4);
  for (let k = 0; k < 4; ++k) { words[k] = Number(v & 0xffffffffn); v >>= 32n; }
  return words;
}

function jsonFloat(v) {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

// A.Data of `type` holding the canonical JSON values.
export function makeData(type, values) {
  const length = values.length;
  const valid = values.map((v) => v !== null);
  const nullCount = valid.filter((v) => !v).length;
  const nullBitmap = nullCount ? bitmap(valid) : undefined;
  const base = { type, length, nullCount, nullBitmap };
  switch (type.typeId) {
    case A.Type.Null:
      return A.makeData({ type, length, nullCount: length });
    case A.Type.Bool:
      return A.makeData({ ...base, data: bitmap(values.map((v) => v === true)) });
    case A.Type.Int: {
      if (type.bitWidth === 64) {
        return A.makeData({ ...base, data: BigInt64Array.from(values, (v) => BigInt(v ?? 0)) });
      }
      return A.makeData({ ...base, data: type.ArrayType.from(values, (v) => v ?? 0) });
    }
    case A.Type.Float:
      return A.makeData({ ...base, data: type.ArrayType.from(values, (v) => jsonFloat(v ?? 0)) });
    case A.Type.Decimal: {
      const words = new Uint32Array(4 * length);
      values.forEach((v, i) => { if (v !== null) words.set(decimalWords(v, type.scale), 4 * i); });
      return A.makeData({ ...base, data: words });
    }
    case A.Type.Date:
      return A.makeData({ ...base, data: Int32Array.from(values, (v) => v ?? 0) });
    case A.Type.Timestamp:
      return A.makeData({ ...base, data: BigInt64Array.from(values, (v) => BigInt(v ?? 0)) });
    case A.Type.Utf8:
    case A.Type.Binary: {
      const encoded = values.map((v) => (v === null ? new Uint8Array(0)
        : type.typeId === A.Type.Utf8 ? new TextEncoder().encode(v) : Buffer.from(v, 'hex')));
      const valueOffsets = new Int32Array(length + 1);
      encoded.forEach((e, i) => { valueOffsets[i + 1] = valueOffsets[i] + e.length; });
      const data = new Uint8Array(valueOffsets[length]);
      encoded.forEach((e, i) => data.set(e, valueOffsets[i]));
      return A.makeData({ ...base, valueOffsets, data });
    }
    case A.Type.List:
    case A.Type.Map: {
      const valueOffsets = new Int32Array(length + 1);
      const items = [];
      values.forEach((v, i) => {
        if (v !== null) items.push(...v);
        valueOffsets[i + 1] = items.length;
      });
      const childType = type.children[0].type;
      let child;
      if (type.typeId === A.Type.Map) {
        child = A.makeData({
          type: childType, length: items.length, nullCount: 0,
          children: [makeData(childType.children[0].type, items.map((kv) => kv[0])),
                     makeData(childType.children[1].type, items.map((kv) => kv[1]))],
        });
      } else {
        child = makeData(childType, items);
      }
      return A.makeData({ ...base, valueOffsets, child });
    }
    case A.Type.Struct: {
      const children = type.children.map((f) => makeData(f.type,
        values.map((v) => (v === null ? null : v[f.name] ?? null))));
      return A.makeData({ ...base, children });
    }
  }
  throw new Error(`cannot build ${type}`);
}

export function makeBatch(schema, rows) {
  const children = schema.fields.map((f, k) => makeData(f.type, rows.map((r) => r[k])));
  const data = A.makeData({ type: new A.Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new A.RecordBatch(schema, data);
}
