/**
 * Objects of a Manager: a dict, a list or a namespace that lives in the main
 * program (Python's `SyncManager` proxies). Every worker reaches it through
 * the main program, on `thread` as on `process`: it crosses as a remote
 * descriptor (`remote: 1` among its own fields), and its data stays in a
 * private field that no clone copies.
 *
 * Values are copied in and out, wherever the call comes from (the main
 * program and `fiber` workers too), so that a nested object read through a
 * proxy and then changed does not change the managed one, as in Python.
 * Each object has a version, moved by every change: an atomic `update`
 * reads a value with its version and writes back only if it is unchanged.
 */
import { type Cancel, defineKind, live, newId, R_INVALID, R_OK, R_SHUTDOWN, type Reply, type SharedObject } from "./handles.ts"

// dict and namespace (a namespace is a dict of its field names)
export const D_GET = 0 // data: key; value: [found, value, version]
export const D_SET = 1 // data: [key, value]
export const D_DELETE = 2 // data: key; value: whether it was there
export const D_HAS = 3
export const D_KEYS = 4
export const D_VALUES = 5
export const D_ENTRIES = 6
export const D_SIZE = 7
export const D_SET_IF = 8 // data: [key, version, value]; value: whether the version was still current
export const D_CLEAR = 9
// list
export const L_AT = 20 // data: index; value: [inRange, value, version, length]
export const L_SET = 21 // data: [index, value]; value: whether in range
export const L_PUSH = 22 // data: values; value: the new length
export const L_LENGTH = 23
export const L_SPLICE = 24 // data: [start, deleteCount, items]; value: the removed items
export const L_TO_ARRAY = 25
export const L_SET_IF = 26 // data: [index, version, value]; value: 0 changed meanwhile, 1 written, 2 out of range

export type Shape = "dict" | "list" | "namespace"

export type Key = string | number | bigint | boolean | null | undefined

/** Python's index: negative counts from the end; -1 when out of range. */
const indexIn = (index: number, length: number): number => {
  const i = index < 0 ? index + length : index
  return i >= 0 && i < length ? i : -1
}

const cloned = (x: unknown): unknown => structuredClone(x)
const asIs = (x: unknown): unknown => x

export class ManagedCore implements SharedObject {
  readonly "~emp" = "managed"
  readonly id: number
  readonly shape: Shape
  /** A worker always reaches it through the main program. */
  readonly remote = 1
  #map = new Map<Key, unknown>()
  #list: Array<unknown> = []
  #version = 0
  #closed = false

  constructor(shape: Shape) {
    this.id = newId()
    this.shape = shape
    live.set(this.id, this)
  }

  /** Fills it (the constructor's values, already copied). */
  init(entries: Iterable<readonly [Key, unknown]> | undefined, items: ReadonlyArray<unknown> | undefined): void {
    if (entries !== undefined) for (const [k, v] of entries) this.#map.set(k, v)
    if (items !== undefined) this.#list.push(...items)
  }

  request(op: number, data: unknown, reply: Reply, holder?: number): Cancel | undefined {
    if (this.#closed) {
      reply(R_SHUTDOWN)
      return undefined
    }
    // a call from this program (not through a host) gets copies, as a worker does
    const copy = holder === undefined ? cloned : asIs
    const map = this.#map
    const list = this.#list
    switch (op) {
      case D_GET: {
        const found = map.has(data as Key)
        reply(R_OK, [found, found ? copy(map.get(data as Key)) : undefined, this.#version])
        break
      }
      case D_SET: {
        const [key, value] = data as readonly [Key, unknown]
        map.set(key, copy(value))
        this.#version++
        reply(R_OK)
        break
      }
      case D_SET_IF: {
        const [key, version, value] = data as readonly [Key, number, unknown]
        if (version !== this.#version) return void reply(R_OK, false)
        map.set(key, copy(value))
        this.#version++
        reply(R_OK, true)
        break
      }
      case D_DELETE: {
        const had = map.delete(data as Key)
        if (had) this.#version++
        reply(R_OK, had)
        break
      }
      case D_HAS:
        reply(R_OK, map.has(data as Key))
        break
      case D_KEYS:
        reply(R_OK, copy(Array.from(map.keys())))
        break
      case D_VALUES:
        reply(R_OK, copy(Array.from(map.values())))
        break
      case D_ENTRIES:
        reply(R_OK, copy(Array.from(map.entries())))
        break
      case D_SIZE:
        reply(R_OK, map.size)
        break
      case D_CLEAR:
        map.clear()
        this.#version++
        reply(R_OK)
        break
      case L_AT: {
        const i = indexIn(data as number, list.length)
        reply(R_OK, [i >= 0, i >= 0 ? copy(list[i]) : undefined, this.#version, list.length])
        break
      }
      case L_SET: {
        const [index, value] = data as readonly [number, unknown]
        const i = indexIn(index, list.length)
        if (i >= 0) {
          list[i] = copy(value)
          this.#version++
        }
        reply(R_OK, i >= 0)
        break
      }
      case L_SET_IF: {
        const [index, version, value] = data as readonly [number, number, unknown]
        const i = indexIn(index, list.length)
        if (i < 0) return void reply(R_OK, 2)
        if (version !== this.#version) return void reply(R_OK, 0)
        list[i] = copy(value)
        this.#version++
        reply(R_OK, 1)
        break
      }
      case L_PUSH: {
        for (const item of data as ReadonlyArray<unknown>) list.push(copy(item))
        this.#version++
        reply(R_OK, list.length)
        break
      }
      case L_LENGTH:
        reply(R_OK, list.length)
        break
      case L_SPLICE: {
        const [start, deleteCount, items] = data as readonly [number, number | undefined, ReadonlyArray<unknown>]
        const added = items.map(copy)
        const removed = deleteCount === undefined ? list.splice(start) : list.splice(start, deleteCount, ...added)
        if (deleteCount === undefined) list.push(...added)
        this.#version++
        reply(R_OK, removed)
        break
      }
      case L_TO_ARRAY:
        reply(R_OK, copy(list))
        break
      default:
        reply(R_INVALID, `unknown manager request ${op}`)
    }
    return undefined
  }

  /** Every later call, from anywhere, fails. */
  shutdown(): void {
    this.#closed = true
    this.#map = new Map()
    this.#list = []
    live.delete(this.id)
  }
}

defineKind("managed", {
  // it always crosses as a remote descriptor (see `remote` above): never revived over shared memory
  revive: () => {
    throw new Error("effect-multiprocessing: a managed object has no shared memory to revive")
  },
  meta: (object: ManagedCore) => ({ shape: object.shape }),
  undo: () => undefined
})
