/**
 * Memory shared by the main program and every worker: Python's
 * `multiprocessing.Value` and `Array` (`lock: false` gives `RawValue` /
 * `RawArray`), with Python's typecodes. Pass one to a task as an argument (or
 * as a typed service) and the worker reads and writes the same numbers.
 *
 * ```ts
 * const counter = yield* Shared.value("i", 0)
 * yield* pool.map(addOne, [counter, counter])  // each task: Shared.update(counter, (n) => n + 1)
 * yield* Shared.get(counter)                   // 2
 * ```
 *
 * As in C (and Python), integers wrap around: `Shared.value("b", 200)` reads
 * -56. `q`, `Q`, `l` and `L` are 64 bits (C's `long` on Linux) and hold
 * bigints. `get` and `set` are each atomic; `update` and `modify` read, apply
 * and write under the value's lock (an RLock, `getLock`), so that no update is
 * lost. Without a lock they are a `get` then a `set`, as `v.value += 1` on a
 * `RawValue`.
 *
 * On `thread` the numbers are a SharedArrayBuffer (`view` gives the typed
 * array for Atomics by hand); a child process (`process`) reaches them through
 * the main program, one round trip per call.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Scope from "effect/Scope"
import { IndexOutOfRange, InvalidArgument, type LockClosed, SerializationError, SharedClosed } from "./errors.ts"
import { describe } from "./internal/check.ts"
import * as Codec from "./internal/codec.ts"
import * as H from "./internal/handles.ts"
import { R_OK, R_SHUTDOWN } from "./internal/handles.ts"
import * as L from "./internal/lock.ts"
import * as M from "./internal/memory.ts"
import * as C from "./internal/refcell.ts"
import { request } from "./internal/request.ts"
import * as Lock from "./Lock.ts"
import type * as RLock from "./RLock.ts"

/**
 * Python's typecodes: signed and unsigned 8, 16, 32 and 64-bit integers
 * (`b B`, `h H`, `i I`, `l L` and `q Q`), 32 and 64-bit floats (`f d`).
 *
 * @since 0.1.0
 * @category models
 */
export type Typecode = M.Typecode

/**
 * What a typecode holds: a bigint for the 64-bit integers, else a number.
 *
 * @since 0.1.0
 * @category models
 */
export type Element<T extends Typecode> = T extends "q" | "Q" | "l" | "L" ? bigint : number

/**
 * One shared number. Python: `Value(typecode, init)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedValue<A extends number | bigint> {
  readonly "~emp": string
  readonly id: number
  readonly typecode: Typecode
  readonly "~value"?: A
}

/**
 * A fixed-length array of shared numbers. Python: `Array(typecode, sizeOrValues)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedArray<A extends number | bigint> {
  readonly "~emp": string
  readonly id: number
  readonly typecode: Typecode
  readonly length: number
  readonly "~elements"?: A
}

type Memory = SharedValue<any> | SharedArray<any>

/** The main program's object, its clone in a worker thread, or a child's route to it. */
const core = (self: Memory): M.MemoryCore => self as unknown as M.MemoryCore

/** Whether this side holds the memory itself (not a child process). */
const local = (memory: M.MemoryCore): boolean => memory.view !== undefined

// one error for every closed call, made when first needed (an error made at
// import would load effect/Schema then: see errors.ts)
let closedError: SharedClosed | undefined
const closed = Effect.suspend(() => Effect.fail(closedError ??= new SharedClosed()))

const invalid = (reason: string) => Effect.fail(new InvalidArgument({ reason }))

/** The value as the typecode stores it, or why it cannot be stored. */
const check = (typecode: Typecode, x: unknown): number | bigint | string => {
  if (M.isBig(typecode)) {
    if (typeof x === "bigint") return x
    if (Number.isSafeInteger(x)) return BigInt(x as number)
    return `typecode "${typecode}" holds integers (a bigint or a safe integer), not ${describe(x)}`
  }
  if (typeof x !== "number") return `typecode "${typecode}" holds numbers, not ${describe(x)}`
  if (!M.isFloat(typecode) && !Number.isInteger(x)) {
    return `typecode "${typecode}" holds integers, not ${describe(x)}`
  }
  return x
}

const make = (
  name: string,
  typecode: unknown,
  values: ReadonlyArray<unknown> | undefined,
  size: number,
  array: boolean,
  options: { readonly lock?: boolean } | undefined
): Effect.Effect<any, InvalidArgument, Scope.Scope> =>
  Effect.suspend(() => {
    if (!M.isTypecode(typecode)) {
      return invalid(`${name}: unknown typecode ${describe(typecode)}; use one of b B h H i I l L q Q f d`)
    }
    const checked: Array<number | bigint> = []
    if (values !== undefined) {
      for (const x of values) {
        const value = check(typecode, x)
        if (typeof value === "string") return invalid(`${name}: ${value}`)
        checked.push(value)
      }
    }
    return Effect.acquireRelease(
      Effect.sync(() => {
        const lock = options?.lock === false ? undefined : L.LockCore.make(true)
        const memory = M.MemoryCore.make(typecode, size, array, lock)
        for (let i = 0; i < checked.length; i++) memory.write(i, checked[i])
        return memory
      }),
      (memory) =>
        Effect.sync(() => {
          memory.shutdown()
          memory.lock?.shutdown()
        })
    )
  })

/**
 * A new shared number, zero unless `init` is given, closed with the scope.
 * `lock: false` makes it raw (no lock: `update` is then not atomic). Python:
 * `Value(typecode, init, lock=...)`, `RawValue`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const value: <T extends Typecode>(
  typecode: T,
  init?: Element<T>,
  options?: { readonly lock?: boolean }
) => Effect.Effect<SharedValue<Element<T>>, InvalidArgument, Scope.Scope> = Effect.fn("Shared.value")(
  function*(typecode: Typecode, init?: number | bigint, options?: { readonly lock?: boolean }) {
    return yield* make("Shared.value", typecode, init === undefined ? undefined : [init], 1, false, options)
  }
) as any

/**
 * A new shared array, of `size` zeros or a copy of `values`, closed with the
 * scope. Python: `Array(typecode, size_or_initializer, lock=...)`, `RawArray`.
 * A negative size, or a value the typecode cannot hold (a nested list, say),
 * fails with `InvalidArgument`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const array: <T extends Typecode>(
  typecode: T,
  sizeOrValues: number | Iterable<Element<T>>,
  options?: { readonly lock?: boolean }
) => Effect.Effect<SharedArray<Element<T>>, InvalidArgument, Scope.Scope> = Effect.fn("Shared.array")(
  function*(typecode: Typecode, sizeOrValues: number | Iterable<number | bigint>, options?: { readonly lock?: boolean }) {
    if (typeof sizeOrValues === "number") {
      if (!Number.isSafeInteger(sizeOrValues) || sizeOrValues < 0) {
        return yield* invalid(`Shared.array: the size must be a whole number >= 0, not ${describe(sizeOrValues)}`)
      }
      return yield* make("Shared.array", typecode, undefined, sizeOrValues, true, options)
    }
    if (typeof sizeOrValues !== "object" || sizeOrValues === null || !(Symbol.iterator in sizeOrValues)) {
      return yield* invalid(`Shared.array: expected a size or a list of values, not ${describe(sizeOrValues)}`)
    }
    const values = Array.from(sizeOrValues)
    return yield* make("Shared.array", typecode, values, values.length, true, options)
  }
) as any

// -- reading and writing ---------------------------------------------------------

const answer = <A>(status: number, value: unknown): Effect.Effect<A, SharedClosed> =>
  status === R_OK ? Effect.succeed(value as A) : status === R_SHUTDOWN ? closed : Effect.die(value)

const readAt = <A>(memory: M.MemoryCore, index: number): Effect.Effect<A, SharedClosed> =>
  local(memory)
    ? Effect.suspend(() => memory.closed ? closed : Effect.succeed(memory.read(index) as A))
    : request(memory, M.M_GET, index, answer<A>)

const writeAt = (memory: M.MemoryCore, index: number, x: unknown): Effect.Effect<void, SharedClosed | InvalidArgument> =>
  Effect.suspend((): Effect.Effect<void, SharedClosed | InvalidArgument> => {
    const value = check(memory.typecode, x)
    if (typeof value === "string") return invalid(value)
    if (!local(memory)) return request(memory, M.M_SET, [index, value], answer<void>)
    if (memory.closed) return closed
    memory.write(index, value)
    return Effect.void
  })

/** A Python index (negative counts from the end), or the error for one out of range. */
const indexIn = (memory: M.MemoryCore, index: number): number | IndexOutOfRange | InvalidArgument => {
  if (!Number.isInteger(index)) return new InvalidArgument({ reason: `an index must be an integer, not ${describe(index)}` })
  const i = index < 0 ? index + memory.length : index
  return i >= 0 && i < memory.length ? i : new IndexOutOfRange({ index, length: memory.length })
}

// -- values and refs: one cell each ----------------------------------------------------

/**
 * A shared cell of any cloneable value, every call atomic across workers:
 * Effect's `Ref`, shared. Its calls are this module's `get`, `set`,
 * `update`, `modify`, `getAndUpdate`, `updateAndGet`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedRef<A> {
  readonly "~emp": string
  readonly id: number
  readonly "~value"?: A
}

/** What `get`, `set`, `update` and `modify` take: a value or a ref. */
type Cell<A> = SharedValue<A & (number | bigint)> | SharedRef<A>

type WriteError = SharedClosed | InvalidArgument | SerializationError

/** A cell's reads and writes, whichever kind it is (see `access`). */
interface Access {
  readonly lock: L.LockCore | undefined
  readonly local: boolean
  readonly closed: () => boolean
  /** Here, with the lock held (or none). */
  readonly readHere: () => unknown
  readonly writeHere: (prepared: unknown) => void
  /** Through the main program (a child process), under the lock the caller holds. */
  readonly read: Effect.Effect<unknown, SharedClosed>
  readonly write: (prepared: unknown) => Effect.Effect<void, SharedClosed>
  /** The value as stored (a checked number, encoded bytes), or the failure. */
  readonly prepare: (x: unknown) => unknown
}

class Refused {
  readonly error: InvalidArgument | SerializationError
  constructor(error: InvalidArgument | SerializationError) {
    this.error = error
  }
}

const valueAccess = (memory: M.MemoryCore): Access => ({
  lock: memory.lock,
  local: local(memory),
  closed: () => memory.closed,
  readHere: () => memory.read(0),
  writeHere: (x) => memory.write(0, x as number | bigint),
  read: request(memory, M.M_GET, 0, answer),
  write: (x) => request(memory, M.M_SET, [0, x], answer<void>),
  prepare: (x) => {
    const value = check(memory.typecode, x)
    return typeof value === "string" ? new Refused(new InvalidArgument({ reason: value })) : value
  }
})

const refAccess = (ref: C.RefCore): Access => ({
  lock: ref.lock,
  local: ref.data !== undefined,
  closed: () => ref.closed,
  readHere: () => Codec.decode(ref.read()),
  writeHere: (bytes) => ref.write(bytes as Uint8Array),
  read: request(ref, C.C_GET, undefined, (status, value) =>
    status === R_OK ? Effect.succeed(Codec.decode(value as Uint8Array)) : answer(status, value)),
  write: (bytes) => request(ref, C.C_SET, bytes, answer<void>),
  prepare: (x) => {
    const bytes = Codec.encode(x, "value")
    if (!Codec.isEncoded(bytes)) {
      return new Refused(new SerializationError({ task: "Shared.ref", direction: "argument", ...bytes }))
    }
    if (bytes.length > C.MAX_BYTES) {
      return new Refused(new InvalidArgument({ reason: `a shared ref holds at most ${C.MAX_BYTES} bytes encoded, not ${bytes.length}` }))
    }
    return bytes
  }
})

const accessKey = Symbol("effect-multiprocessing/Shared/access")

/** The cell's access, made once per object (a symbol key: it never crosses to a worker). */
const access = (self: Cell<any>): Access => {
  const object = self as any
  const cached = object[accessKey] as Access | undefined
  if (cached !== undefined) return cached
  const made = object["~emp"] === "ref" ? refAccess(object as C.RefCore) : valueAccess(object as M.MemoryCore)
  Object.defineProperty(object, accessKey, { value: made })
  return made
}

/** `f`'s answer when it only reads. */
const KEEP: unique symbol = Symbol("keep")

/**
 * Reads the cell, applies `f` and writes its new value, as one step for every
 * other holder of the cell's lock. Here and with the lock free, the lock is
 * taken and released in place: no request, no wait, one Effect. Without a
 * lock (a raw value), a read then a write.
 */
const step = <B>(cell: Access, f: (x: any) => readonly [B, unknown]): Effect.Effect<B, WriteError> => {
  const lock = cell.lock
  if (lock === undefined || !cell.local) return slowStep(cell, f)
  return Effect.withFiber((fiber) => {
    if (cell.closed()) return closed
    if (!lock.spinTake(fiber.id, L.SPIN)) return slowStep(cell, f)
    try {
      // here, `apply` reads, applies and writes before it returns: all under the lock
      return apply(cell, f, cell.readHere())
    } finally {
      lock.release(H.here, fiber.id)
    }
  })
}

/** `f` on the value `x` read, and its new value written (here at once, or through the main program). */
const apply = <B>(cell: Access, f: (x: any) => readonly [B, unknown], x: unknown): Effect.Effect<B, WriteError> => {
  const [result, next] = f(x)
  if (next === KEEP) return Effect.succeed(result)
  const prepared = cell.prepare(next)
  if (prepared instanceof Refused) return Effect.fail(prepared.error)
  if (!cell.local) return Effect.as(cell.write(prepared), result)
  if (cell.closed()) return closed
  cell.writeHere(prepared)
  return Effect.succeed(result)
}

/** `step` with the lock held through requests (it is taken, or the memory is in the main program). */
const slowStep = <B>(cell: Access, f: (x: any) => readonly [B, unknown]): Effect.Effect<B, WriteError> => {
  const read = cell.local
    ? Effect.suspend(() => cell.closed() ? closed : Effect.succeed(cell.readHere()))
    : cell.read
  const body = Effect.flatMap(read, (x) => apply(cell, f, x))
  return cell.lock === undefined ? body : underLock(cell.lock, body)
}

const underLock = <A, E>(lock: L.LockCore, effect: Effect.Effect<A, E>): Effect.Effect<A, E | SharedClosed> =>
  Effect.mapError(
    Lock.withLock(lock as unknown as Lock.Lock, effect),
    (e): E | SharedClosed => (e as LockClosed)?._tag === "LockClosed" ? new SharedClosed() : e as E
  )

/**
 * A new shared ref holding `initial` (any value structured clone accepts),
 * closed with the scope. Every call on it is atomic across workers, under its
 * own lock; what a worker gets is a copy, as a worker's argument is. A
 * function, a symbol or another value that cannot be cloned fails with
 * `SerializationError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ref: <A>(initial: A) => Effect.Effect<SharedRef<A>, SerializationError | InvalidArgument, Scope.Scope> = Effect
  .fn("Shared.ref")(function*<A>(initial: A) {
    const bytes = refAccess({} as C.RefCore).prepare(initial)
    if (bytes instanceof Refused) return yield* Effect.fail(bytes.error)
    return yield* Effect.acquireRelease(
      Effect.sync(() => C.RefCore.make(bytes as Uint8Array, L.LockCore.make(true)) as unknown as SharedRef<A>),
      (ref) =>
        Effect.sync(() => {
          const core = ref as unknown as C.RefCore
          core.shutdown()
          core.lock.shutdown()
        })
    )
  })

/**
 * The value. Python: `v.value`.
 *
 * @since 0.1.0
 * @category getters
 */
export const get = <A>(self: Cell<A>): Effect.Effect<A, SharedClosed> => {
  const object = self as unknown as M.MemoryCore | C.RefCore
  // a number is read with one atomic load, without the lock
  if (object["~emp"] !== "ref") return readAt(object as M.MemoryCore, 0)
  return step(access(self), (x) => [x, KEEP]) as Effect.Effect<A, SharedClosed>
}

/**
 * Stores `x` (an integer wraps around as in C). Python: `v.value = x`.
 *
 * @since 0.1.0
 * @category setters
 */
export const set: {
  <A>(x: A): (self: Cell<A>) => Effect.Effect<void, WriteError>
  <A>(self: Cell<A>, x: A): Effect.Effect<void, WriteError>
} = dual(2, <A>(self: Cell<A>, x: A): Effect.Effect<void, WriteError> => {
  const object = self as unknown as M.MemoryCore | C.RefCore
  if (object["~emp"] !== "ref") return writeAt(object as M.MemoryCore, 0, x)
  return step(access(self), () => [undefined, x])
})

/**
 * Replaces the value with `f` of it, atomically under the cell's lock.
 * Python: `with v.get_lock(): v.value = f(v.value)`.
 *
 * @since 0.1.0
 * @category setters
 */
export const update: {
  <A>(f: (a: A) => A): (self: Cell<A>) => Effect.Effect<void, WriteError>
  <A>(self: Cell<A>, f: (a: NoInfer<A>) => NoInfer<A>): Effect.Effect<void, WriteError>
} = dual(2, <A>(self: Cell<A>, f: (a: A) => A) => step(access(self), (x) => [undefined, f(x)]))

/**
 * Replaces the value with the second of `f`'s pair and returns the first,
 * atomically under the cell's lock (as `Ref.modify`).
 *
 * @since 0.1.0
 * @category setters
 */
export const modify: {
  <A, B>(f: (a: A) => readonly [B, A]): (self: Cell<A>) => Effect.Effect<B, WriteError>
  <A, B>(self: Cell<A>, f: (a: NoInfer<A>) => readonly [B, NoInfer<A>]): Effect.Effect<B, WriteError>
} = dual(2, <A, B>(self: Cell<A>, f: (a: A) => readonly [B, A]) => step(access(self), f))

/**
 * Replaces the value with `f` of it and returns the old one, atomically (as `Ref.getAndUpdate`).
 *
 * @since 0.1.0
 * @category setters
 */
export const getAndUpdate: {
  <A>(f: (a: A) => A): (self: Cell<A>) => Effect.Effect<A, WriteError>
  <A>(self: Cell<A>, f: (a: NoInfer<A>) => NoInfer<A>): Effect.Effect<A, WriteError>
} = dual(2, <A>(self: Cell<A>, f: (a: A) => A) => step(access(self), (x) => [x, f(x)]))

/**
 * Replaces the value with `f` of it and returns the new one, atomically (as `Ref.updateAndGet`).
 *
 * @since 0.1.0
 * @category setters
 */
export const updateAndGet: {
  <A>(f: (a: A) => A): (self: Cell<A>) => Effect.Effect<A, WriteError>
  <A>(self: Cell<A>, f: (a: NoInfer<A>) => NoInfer<A>): Effect.Effect<A, WriteError>
} = dual(2, <A>(self: Cell<A>, f: (a: A) => A) =>
  step(access(self), (x) => {
    const next = f(x)
    return [next, next]
  }))

/**
 * The value's (or array's) lock, an RLock: hold it across several calls to
 * make them one step. A raw one (`lock: false`) has none: `InvalidArgument`.
 * Python: `get_lock()`.
 *
 * @since 0.1.0
 * @category getters
 */
export const getLock = (self: Memory): Effect.Effect<RLock.RLock, InvalidArgument> =>
  Effect.suspend(() => {
    const lock = core(self).lock
    return lock === undefined
      ? invalid("this shared value was made with lock: false and has no lock")
      : Effect.succeed(lock as unknown as RLock.RLock)
  })

/**
 * The typed array itself over the shared memory, for Atomics by hand; only
 * where the memory is shared (the main program, `thread` and `fiber`
 * workers). In a child process: `InvalidArgument` (use get and set there).
 *
 * @since 0.1.0
 * @category getters
 */
export const view = (
  self: Memory
): Effect.Effect<
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array,
  InvalidArgument
> =>
  Effect.suspend(() => {
    const memory = core(self)
    return local(memory)
      ? Effect.succeed(memory.view)
      : invalid("a child process (start method \"process\") shares no memory with the main program: use get and set")
  })

// -- arrays ------------------------------------------------------------------------------

/**
 * The array's length. Python: `len(a)`.
 *
 * @since 0.1.0
 * @category getters
 */
export const length = (self: SharedArray<any>): number => core(self).length

/**
 * The element at `index` (negative counts from the end). Python: `a[i]`.
 *
 * @since 0.1.0
 * @category getters
 */
export const getAt: {
  (index: number): <A extends number | bigint>(self: SharedArray<A>) => Effect.Effect<A, SharedClosed | IndexOutOfRange | InvalidArgument>
  <A extends number | bigint>(self: SharedArray<A>, index: number): Effect.Effect<A, SharedClosed | IndexOutOfRange | InvalidArgument>
} = dual(2, <A extends number | bigint>(self: SharedArray<A>, index: number) =>
  Effect.suspend((): Effect.Effect<A, SharedClosed | IndexOutOfRange | InvalidArgument> => {
    const memory = core(self)
    const i = indexIn(memory, index)
    return typeof i === "number" ? readAt<A>(memory, i) : Effect.fail(i)
  }))

/**
 * Stores `x` at `index` (negative counts from the end). Python: `a[i] = x`.
 *
 * @since 0.1.0
 * @category setters
 */
export const setAt: {
  <A extends number | bigint>(
    index: number,
    x: A
  ): (self: SharedArray<A>) => Effect.Effect<void, SharedClosed | IndexOutOfRange | InvalidArgument>
  <A extends number | bigint>(
    self: SharedArray<A>,
    index: number,
    x: A
  ): Effect.Effect<void, SharedClosed | IndexOutOfRange | InvalidArgument>
} = dual(3, <A extends number | bigint>(self: SharedArray<A>, index: number, x: A) =>
  Effect.suspend((): Effect.Effect<void, SharedClosed | IndexOutOfRange | InvalidArgument> => {
    const memory = core(self)
    const i = indexIn(memory, index)
    return typeof i === "number" ? writeAt(memory, i, x) : Effect.fail(i)
  }))

/** Python's slice bounds: negative counts from the end; clamped to the array. */
const bound = (memory: M.MemoryCore, index: number | undefined, fallback: number): number => {
  if (index === undefined) return fallback
  const i = Math.trunc(index) < 0 ? Math.trunc(index) + memory.length : Math.trunc(index)
  return Math.min(Math.max(i, 0), memory.length)
}

/**
 * A copy of the elements from `start` to `end` (as `Array.prototype.slice`:
 * negative counts from the end). Python: `a[start:end]`.
 *
 * @since 0.1.0
 * @category getters
 */
export const slice = <A extends number | bigint>(
  self: SharedArray<A>,
  start?: number,
  end?: number
): Effect.Effect<Array<A>, SharedClosed> =>
  Effect.suspend(() => {
    const memory = core(self)
    const from = bound(memory, start, 0)
    const to = Math.max(from, bound(memory, end, memory.length))
    if (!local(memory)) return request(memory, M.M_SLICE, [from, to], answer<Array<A>>)
    if (memory.closed) return closed
    const out: Array<A> = []
    for (let i = from; i < to; i++) out.push(memory.read(i) as A)
    return Effect.succeed(out)
  })

/**
 * Every element, copied. Python: `a[:]`.
 *
 * @since 0.1.0
 * @category getters
 */
export const toArray = <A extends number | bigint>(self: SharedArray<A>): Effect.Effect<Array<A>, SharedClosed> =>
  slice(self)

/**
 * Stores `values` from `start` on. Python's slice assignment cannot change the
 * length: values that would run past the end fail with `InvalidArgument` and
 * nothing is written. Python: `a[start:start + len(values)] = values`.
 *
 * @since 0.1.0
 * @category setters
 */
export const setSlice: {
  <A extends number | bigint>(
    start: number,
    values: Iterable<A>
  ): (self: SharedArray<A>) => Effect.Effect<void, SharedClosed | InvalidArgument>
  <A extends number | bigint>(
    self: SharedArray<A>,
    start: number,
    values: Iterable<A>
  ): Effect.Effect<void, SharedClosed | InvalidArgument>
} = dual(3, <A extends number | bigint>(self: SharedArray<A>, start: number, values: Iterable<A>) =>
  Effect.suspend((): Effect.Effect<void, SharedClosed | InvalidArgument> => {
    const memory = core(self)
    if (!Number.isInteger(start)) return invalid(`setSlice: the start must be an integer, not ${describe(start)}`)
    const from = start < 0 ? start + memory.length : start
    const items = Array.from(values)
    if (from < 0 || from + items.length > memory.length) {
      return invalid(
        `setSlice: ${items.length} values from index ${start} do not fit an array of length ${memory.length} (a slice assignment cannot change the length)`
      )
    }
    const checked: Array<number | bigint> = []
    for (const x of items) {
      const value = check(memory.typecode, x)
      if (typeof value === "string") return invalid(value)
      checked.push(value)
    }
    if (!local(memory)) return request(memory, M.M_SET_SLICE, [from, checked], answer<void>)
    if (memory.closed) return closed
    for (let i = 0; i < checked.length; i++) memory.write(from + i, checked[i])
    return Effect.void
  }))
