/**
 * The one mechanism by which shared objects (queues, pipes, and later values,
 * locks and managers) reach workers. Every shared object answers `request(op,
 * data, reply)`; the transport decides who executes it:
 *
 * - `thread`: the object lives in a SharedArrayBuffer; its clone in a worker
 *   (revived here into the same class) executes requests itself, with Atomics.
 * - `process`: a child cannot share memory; it gets a `Remote` that sends each
 *   request to the main program, where the object executes it (see host.ts).
 * - `fiber`: the object itself.
 *
 * On the way to a worker a shared object crosses as its own fields (a plain
 * object tagged with `~emp`); the worker revives such objects anywhere in the
 * argument list (plain arrays and objects) before the task sees them.
 */
import * as WorkerThreads from "node:worker_threads"

/** Answers a request: `status` is one of the `R_*` codes. */
export type Reply = (status: number, value?: unknown) => void

/** Withdraws a pending request; `ack` runs once it is withdrawn (nothing was consumed). */
export type Cancel = (ack: () => void) => void

export interface SharedObject {
  readonly "~emp": string
  readonly id: number
  /**
   * Executes (or forwards) a request; returns a canceller while it waits.
   * `holder` names who acts when it is not this thread: a child process,
   * through its host in the main program (what it holds is released when it dies).
   */
  readonly request: (op: number, data: unknown, reply: Reply, holder?: number) => Cancel | undefined
}

/** The token of code running on a thread: its thread id + 1 (never 0). */
export const threadToken = (threadId: number): number => threadId + 1

/** This thread's token: what a lock word records while code of this thread holds it. */
export const here = threadToken(WorkerThreads.threadId)

// Reply statuses shared by every kind.
export const R_OK = 0
export const R_ENDED = 1
export const R_SHUTDOWN = 2
export const R_INVALID = 3 // value: the reason
export const R_CANCELLED = 4
export const R_EOF = 5
export const R_BROKEN = 6
export const R_CLOSED = 7

export const KIND = "~emp"

export const isSharedObject = (u: unknown): u is SharedObject =>
  typeof u === "object" && u !== null && typeof (u as any)[KIND] === "string" &&
  typeof (u as any).request === "function"

/** A shared object as it crossed to a worker (its fields, without its class). */
const isWire = (u: unknown): u is { readonly "~emp": string; readonly id: number; readonly remote?: 1 } =>
  typeof u === "object" && u !== null && typeof (u as any)[KIND] === "string" &&
  typeof (u as any).request !== "function"

// -- the main program's objects ---------------------------------------------------

let nextId = 1
/** Shared objects made in this program and not yet shut down, by id. */
export const live = new Map<
  number,
  SharedObject & {
    /** Lets go what `token` held; names what a user would miss (`Lock 3`), if anything. */
    readonly releaseOwner?: (token: number) => string | void
  }
>()

/**
 * Releases what `token` (a dead thread, or a dead child's host) holds in
 * every object: the names of what it held, for the dead task's `WorkerDied`.
 */
export const releaseToken = (token: number): Array<string> => {
  const released: Array<string> = []
  for (const object of live.values()) {
    const name = object.releaseOwner?.(token)
    if (typeof name === "string") released.push(name)
  }
  return released
}

export const newId = (): number => {
  madeAny = true
  return nextId++
}

/**
 * Whether this program has made a shared object: from then on, arguments are
 * searched for them (one closed since must still cross as a shared object,
 * to fail there with its typed error). Plain pools never pay the search.
 */
export let madeAny = false

let stateListener: ((object: number, status: number) => void) | undefined

/** Set by host.ts in the main program: children learn when an object ends or shuts down. */
export const setStateListener = (listener: (object: number, status: number) => void): void => {
  stateListener = listener
}

/** An object ended (`R_ENDED`) or shut down (`R_SHUTDOWN`). */
export const stateChanged = (object: number, status: number): void => stateListener?.(object, status)

/** A worker thread died: release what it held (its id + 1 is its lock token). */
export const releaseThread = (threadId: number): Array<string> => releaseToken(threadToken(threadId))

// -- kinds -----------------------------------------------------------------------

export interface Kind {
  /** Rebuilds the object from its fields in a thread that shares its memory. */
  readonly revive: (wire: any) => SharedObject
  /** The fields a child process needs besides the id (capacity, direction...). */
  readonly meta: (object: any) => Record<string, unknown>
  /**
   * A remote request was withdrawn after it had already been executed: what
   * to send to undo it (a taken item goes back to the front), if anything.
   */
  readonly undo: (op: number, status: number, value: unknown) => readonly [op: number, data: unknown] | undefined
  /**
   * A worker that was given the object exited or died: what its exit does to
   * the object (a pipe end is closed, as a process's exit closes its fds).
   */
  readonly onHolderExit?: ((object: any) => void) | undefined
  /**
   * How an answered request of a child changes the count of items the child
   * holds (taken in a batch and not yet reported used): what `WorkerDied`
   * reports as `heldItems` when the child dies.
   */
  readonly held?: ((op: number, data: unknown, status: number, value: unknown) => number) | undefined
}

const kinds = new Map<string, Kind>()

export const defineKind = (name: string, kind: Kind): void => {
  kinds.set(name, kind)
}

export const kindOf = (name: string): Kind => {
  const kind = kinds.get(name)
  if (kind === undefined) throw new Error(`effect-multiprocessing: unknown shared object kind ${name}`)
  return kind
}

// -- crossing ------------------------------------------------------------------------

/** Whether the value holds a shared object (in plain arrays and objects). */
export const holdsShared = (value: unknown, depth = 0): boolean => {
  if (typeof value !== "object" || value === null || depth > 32) return false
  if (isSharedObject(value)) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsShared(value[i], depth + 1)) return true
    return false
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  for (const k in value) if (holdsShared((value as any)[k], depth + 1)) return true
  return false
}

/**
 * The value as it is sent to a child process: every shared object replaced by
 * its remote descriptor (containers on the way are copied, never mutated).
 */
export const toRemote = (value: unknown, depth = 0): unknown => {
  if (typeof value !== "object" || value === null || depth > 32) return value
  if (isSharedObject(value)) {
    return { [KIND]: value[KIND], id: value.id, remote: 1, ...kindOf(value[KIND]).meta(value) }
  }
  if (Array.isArray(value)) return value.map((x) => toRemote(x, depth + 1))
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  const out: Record<string, unknown> = {}
  for (const k in value) {
    const v = toRemote((value as any)[k], depth + 1)
    // an own "__proto__" key is data, not the prototype
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
    else out[k] = v
  }
  return out
}

let makeRemote: ((wire: any) => SharedObject) | undefined

/** Set by remote.ts where it is loaded (the worker entry). */
export const setRemoteFactory = (factory: (wire: any) => SharedObject): void => {
  makeRemote = factory
}

/** Replaces, in place, every shared object's fields by a live object. */
export const revive = (value: unknown, depth = 0): unknown => {
  if (typeof value !== "object" || value === null || depth > 32) return value
  if (isSharedObject(value)) return value
  if (isWire(value)) {
    if (value.remote === 1) {
      if (makeRemote === undefined) throw new Error("effect-multiprocessing: no route to the main program")
      return makeRemote(value)
    }
    return kindOf(value[KIND]).revive(value)
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i], depth + 1)
    return value
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  for (const k in value) (value as any)[k] = revive((value as any)[k], depth + 1)
  return value
}

/**
 * The main program's objects in data sent to a worker (as themselves, or as
 * the remote descriptors a child got).
 */
export const heldIn = (value: unknown, out: Array<SharedObject> = [], depth = 0): Array<SharedObject> => {
  if (typeof value !== "object" || value === null || depth > 32) return out
  if (isSharedObject(value) || isWire(value)) {
    const object = live.get(value.id)
    if (object !== undefined) out.push(object)
    return out
  }
  if (Array.isArray(value)) {
    for (const item of value) heldIn(item, out, depth + 1)
    return out
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return out
  for (const k in value) heldIn((value as any)[k], out, depth + 1)
  return out
}

/** A worker given `data` has exited: each object in it learns (see `Kind.onHolderExit`). */
export const holderExited = (data: unknown): void => {
  if (!madeAny) return
  for (const object of heldIn(data)) kinds.get(object[KIND])?.onHolderExit?.(object)
}
