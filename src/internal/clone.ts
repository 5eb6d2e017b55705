/**
 * Finds the part of a value that structured clone refuses, with its path, so
 * that a call fails with a `SerializationError` naming it. Only run when a
 * `postMessage` has already failed, or on the `fiber` start method (which
 * clones nothing but must refuse what the other methods refuse).
 */

export interface Uncloneable {
  readonly path: string
  readonly valueType: string
}

/** Structured clone refused the value (as opposed to a closed channel). */
export const isCloneError = (e: unknown): boolean =>
  e instanceof Error && (e.name === "DataCloneError" || /could not be cloned/.test(e.message))

/** The error a transport raises for a value it cannot clone (the `fiber` method raises it too). */
export const cloneError = (): Error => new DOMException("value could not be cloned", "DataCloneError")

/**
 * Appends what can be moved to a transfer list. A SharedArrayBuffer is shared
 * by every thread already, and in a transfer list it throws: it is left out.
 */
export const addMovable = (
  list: Array<unknown> | undefined,
  items: ReadonlyArray<unknown>
): Array<unknown> | undefined => {
  for (const item of items) if (!(item instanceof SharedArrayBuffer)) (list ??= []).push(item)
  return list
}

const refused = [WeakMap, WeakSet, Promise, WeakRef] as const

export const findUncloneable = (value: unknown, path: string): Uncloneable | undefined =>
  walk(value, path, new Set())

/** A Map key as a path shows it: a primitive as itself; an object (which may not convert to text) by its position. */
const keyName = (k: unknown, i: number): string =>
  typeof k === "object" && k !== null || typeof k === "function" ? `<key ${i}>` : typeof k === "string" ? JSON.stringify(k) : String(k)

const walk = (value: unknown, path: string, seen: Set<object>): Uncloneable | undefined => {
  const type = typeof value
  if (type === "function") return { path, valueType: "function" }
  if (type === "symbol") return { path, valueType: "symbol" }
  if (type !== "object" || value === null) return undefined
  const obj = value as object
  if (seen.has(obj)) return undefined
  seen.add(obj)
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer || obj instanceof Date || obj instanceof RegExp) {
    return undefined
  }
  if (typeof SharedArrayBuffer !== "undefined" && obj instanceof SharedArrayBuffer) return undefined
  for (const Ctor of refused) {
    if (obj instanceof Ctor) return { path, valueType: Ctor.name }
  }
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const bad = walk(obj[i], `${path}[${i}]`, seen)
      if (bad) return bad
    }
    return undefined
  }
  if (obj instanceof Map) {
    let i = 0
    for (const [k, v] of obj) {
      const bad = walk(k, `${path}.<key ${i}>`, seen) ?? walk(v, `${path}.get(${keyName(k, i)})`, seen)
      if (bad) return bad
      i++
    }
    return undefined
  }
  if (obj instanceof Set) {
    let i = 0
    for (const v of obj) {
      const bad = walk(v, `${path}.<item ${i++}>`, seen)
      if (bad) return bad
    }
    return undefined
  }
  for (const k of Object.keys(obj)) {
    const bad = walk((obj as any)[k], `${path}.${k}`, seen)
    if (bad) return bad
  }
  return undefined
}
