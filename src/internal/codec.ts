/**
 * Items of shared queues and pipes as bytes. A shared-memory queue holds
 * bytes, so every item is encoded once by its producer and decoded once by its
 * consumer. `v8.serialize` costs 4-6 µs for a small object (../CEILINGS.md),
 * so the common shapes take cheaper paths: a number is 8 bytes, a string its
 * UTF-8, and plain JSON data (finite numbers but -0, strings, booleans, null,
 * arrays, plain objects) its JSON text. Everything else structured clone
 * accepts (Dates, Maps, typed arrays, bigints, undefined, -0, NaN, ...) goes
 * through `v8.serialize`, so nothing changes on the way.
 */
import { findUncloneable, type Uncloneable } from "./clone.ts"
import { V8 as v8 } from "./lazy.ts"

const T_UNDEFINED = 0
const T_NULL = 1
const T_TRUE = 2
const T_FALSE = 3
const T_NUMBER = 4
const T_STRING = 5
const T_JSON = 6
const T_V8 = 7

const encoder = new TextEncoder()
const f64 = new Float64Array(1)
const f64Bytes = new Uint8Array(f64.buffer)

const MAX_JSON_DEPTH = 32

/** Whether JSON carries the value exactly (and cheaply). */
const jsonSafe = (value: unknown, depth: number): boolean => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0)
    case "object": {
      if (value === null) return true
      if (depth > MAX_JSON_DEPTH) return false
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!jsonSafe(value[i], depth + 1)) return false
        return true
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      for (const k in value) {
        if (k === "__proto__" || !jsonSafe((value as any)[k], depth + 1)) return false
      }
      return true
    }
    default:
      return false
  }
}

const tagged = (tag: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(body.length + 1)
  out[0] = tag
  out.set(body, 1)
  return out
}

/**
 * A tag and UTF-8 text in one allocation (up to 3 bytes per UTF-16 unit;
 * exact for long text). Buffer's writer is ~8x faster than TextEncoder's
 * `encodeInto` on short strings.
 */
const text = (tag: number, s: string): Uint8Array => {
  if (s.length > 4096) return tagged(tag, encoder.encode(s))
  const out = Buffer.allocUnsafe(1 + 3 * s.length)
  out[0] = tag
  const written = out.write(s, 1)
  return out.subarray(0, 1 + written)
}

/** The UTF-8 text in `bytes[start, end)` (Buffer's reader is faster than TextDecoder's, and reads shared memory). */
const utf8 = (bytes: Uint8Array, start: number, end: number): string =>
  (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("utf8", start, end)

/** The item as bytes, or where it holds something that cannot be sent. */
export const encode = (value: unknown, path: string): Uint8Array | Uncloneable => {
  switch (typeof value) {
    case "number": {
      const out = new Uint8Array(9)
      out[0] = T_NUMBER
      f64[0] = value
      for (let k = 0; k < 8; k++) out[k + 1] = f64Bytes[k]
      return out
    }
    case "string":
      return text(T_STRING, value)
    case "boolean":
      return new Uint8Array([value ? T_TRUE : T_FALSE])
    case "undefined":
      return new Uint8Array([T_UNDEFINED])
    case "function":
    case "symbol":
      return { path, valueType: typeof value }
  }
  if (value === null) return new Uint8Array([T_NULL])
  if (jsonSafe(value, 0)) return text(T_JSON, JSON.stringify(value))
  const bad = findUncloneable(value, path)
  if (bad !== undefined) return bad
  try {
    return tagged(T_V8, v8().serialize(value))
  } catch {
    return { path, valueType: "value that cannot be cloned" }
  }
}

export const isEncoded = (u: Uint8Array | Uncloneable): u is Uint8Array => u instanceof Uint8Array

/**
 * An item as its tag and value, not as bytes; for a string or JSON its text.
 * A queue on this thread's own memory writes one where it will lie and reads
 * one where it lies (ring.ts), so that no bytes are made or copied for it on
 * the way (~100 ns of a ~0.8 µs offer, ~150 ns of a ~1.3 µs take of a small
 * object); JSON is parsed by `decode`, after the queue's lock is released.
 */
export class Unpacked {
  readonly tag: number
  readonly value: unknown
  constructor(tag: number, value: unknown) {
    this.tag = tag
    this.value = value
  }
}

/** `encode`, but a string or JSON data (up to 4096 characters) as an Unpacked text. */
export const encodeHere = (value: unknown, path: string): Unpacked | Uint8Array | Uncloneable => {
  if (typeof value === "string") return value.length > 4096 ? text(T_STRING, value) : new Unpacked(T_STRING, value)
  if (typeof value === "object" && value !== null && jsonSafe(value, 0)) {
    const json = JSON.stringify(value)
    return json.length > 4096 ? text(T_JSON, json) : new Unpacked(T_JSON, json)
  }
  return encode(value, path)
}

/** The most bytes `writeText` writes for a text from `encodeHere`. */
export const textRoom = (item: Unpacked): number => 1 + 3 * (item.value as string).length

/** Writes a text from `encodeHere` at `buf[start]`, which has `textRoom(item)` bytes: how many it wrote. */
export const writeText = (buf: Buffer, start: number, item: Unpacked): number => {
  buf[start] = item.tag
  return 1 + buf.write(item.value as string, start + 1)
}

/** A text from `encodeHere` as the bytes `encode` gives. */
export const textBytes = (item: Unpacked): Uint8Array => text(item.tag, item.value as string)

/** The item encoded in `bytes[start, end)`, unpacked; undefined for a `v8.serialize` one. */
export const unpackAt = (bytes: Uint8Array, start: number, end: number): Unpacked | undefined => {
  const tag = bytes[start]!
  switch (tag) {
    case T_UNDEFINED:
      return new Unpacked(tag, undefined)
    case T_NULL:
      return new Unpacked(tag, null)
    case T_TRUE:
      return new Unpacked(tag, true)
    case T_FALSE:
      return new Unpacked(tag, false)
    case T_NUMBER:
      for (let k = 0; k < 8; k++) f64Bytes[k] = bytes[start + 1 + k]!
      return new Unpacked(tag, f64[0])
    case T_STRING:
    case T_JSON:
      return new Unpacked(tag, utf8(bytes, start + 1, end))
    default:
      return undefined
  }
}

export const decode = (item: Uint8Array | Unpacked): unknown => {
  const unpacked = item instanceof Unpacked ? item : unpackAt(item, 0, item.length)
  if (unpacked === undefined) return v8().deserialize((item as Uint8Array).subarray(1))
  return unpacked.tag === T_JSON ? JSON.parse(unpacked.value as string) : unpacked.value
}
