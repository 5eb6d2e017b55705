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

// node:v8 costs ~0.5 ms to load at start-up: only the items JSON cannot carry need it
const v8 = () => process.getBuiltinModule("node:v8")

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

/** The text after the tag (Buffer's reader is faster than TextDecoder's). */
const readText = (bytes: Uint8Array): string =>
  (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("utf8", 1)

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

export const decode = (bytes: Uint8Array): unknown => {
  switch (bytes[0]) {
    case T_UNDEFINED:
      return undefined
    case T_NULL:
      return null
    case T_TRUE:
      return true
    case T_FALSE:
      return false
    case T_NUMBER:
      for (let k = 0; k < 8; k++) f64Bytes[k] = bytes[k + 1]
      return f64[0]
    case T_STRING:
      return readText(bytes)
    case T_JSON:
      return JSON.parse(readText(bytes))
    default:
      return v8().deserialize(bytes.subarray(1))
  }
}
