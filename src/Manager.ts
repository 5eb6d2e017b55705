/**
 * Objects that live in the main program, reached from every worker through
 * it: Python's `multiprocessing.Manager()` with its `dict`, `list` and
 * `Namespace` proxies. Pass one to a task (as an argument or a typed
 * service) and the worker calls it; each call is an Effect, a round trip to
 * the main program on every start method.
 *
 * ```ts
 * const manager = yield* Manager.make()
 * const d = yield* Manager.dict<number, string>(manager)
 * yield* pool.map(record, [[d, 1], [d, 2]]) // each task: Manager.set(d, n, "done")
 * yield* Manager.entries(d)                 // [[1, "done"], [2, "done"]] in some order
 * ```
 *
 * As in Python, what a call returns is a copy: changing a nested object read
 * through a proxy does not change the managed one; write it back with `set`
 * (or change it atomically with `update`). Keys of a dict are primitives
 * (strings, numbers, bigints, booleans, null, undefined), compared as `Map`
 * compares them. Closing the manager's scope closes every object it made:
 * every later call fails with `ManagerClosed`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { IndexOutOfRange, InvalidArgument, ManagerClosed, SerializationError } from "./errors.ts"
import { describe } from "./internal/check.ts"
import { findUncloneable } from "./internal/clone.ts"
import { R_OK, R_SHUTDOWN } from "./internal/handles.ts"
import * as M from "./internal/managed.ts"
import { request } from "./internal/request.ts"

/**
 * The owner of managed objects: closing its scope closes them all. Python: `Manager()`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Manager {
  readonly "~manager": true
}

/**
 * A key of a managed dict: a primitive, compared as `Map` compares keys.
 *
 * @since 0.1.0
 * @category models
 */
export type Key = M.Key

/**
 * A dict in the main program. Python: `manager.dict()`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Dict<K extends Key, V> {
  readonly "~emp": string
  readonly id: number
  readonly "~dict"?: readonly [K, V]
}

/**
 * A list in the main program. Python: `manager.list()`.
 *
 * @since 0.1.0
 * @category models
 */
export interface List<A> {
  readonly "~emp": string
  readonly id: number
  readonly "~list"?: A
}

/**
 * An object of named fields in the main program. Python: `manager.Namespace()`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Namespace<A extends Record<string, unknown>> {
  readonly "~emp": string
  readonly id: number
  readonly "~namespace"?: A
}

interface ManagerImpl extends Manager {
  readonly objects: Set<M.ManagedCore>
  closed: boolean
}

type Proxy = Dict<any, any> | List<any> | Namespace<any>

const core = (self: Proxy): M.ManagedCore => self as unknown as M.ManagedCore

const answer = <A>(status: number, value: unknown): Effect.Effect<A, ManagerClosed> =>
  status === R_OK ? Effect.succeed(value as A) : status === R_SHUTDOWN ? Effect.fail(new ManagerClosed()) : Effect.die(value)

const call = <A>(self: Proxy, op: number, data?: unknown): Effect.Effect<A, ManagerClosed> =>
  request(core(self), op, data, answer<A>)

const isKey = (u: unknown): u is Key =>
  u === null || u === undefined || typeof u === "string" || typeof u === "number" || typeof u === "bigint" ||
  typeof u === "boolean"

/** Why a value cannot be stored (it cannot be copied to another worker), if it cannot. */
const refuse = (operation: string, value: unknown, path: string): SerializationError | undefined => {
  const bad = findUncloneable(value, path)
  return bad === undefined ? undefined : new SerializationError({ task: operation, direction: "argument", ...bad })
}

const badKey = (operation: string, key: unknown) =>
  new InvalidArgument({
    reason: `${operation}: a managed dict's key must be a string, number, bigint, boolean, null or undefined, not ${
      describe(key)
    }`
  })

/**
 * A manager, closed with the scope (with every object it made).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: () => Effect.Effect<Manager, never, Scope.Scope> = Effect.fn("Manager.make")(function*() {
  return yield* Effect.acquireRelease(
    Effect.sync((): ManagerImpl => ({ "~manager": true, objects: new Set(), closed: false })),
    (manager) =>
      Effect.sync(() => {
        manager.closed = true
        for (const object of manager.objects) object.shutdown()
        manager.objects.clear()
      })
  )
})

const create = (
  operation: string,
  manager: Manager,
  shape: M.Shape,
  entries: Iterable<readonly [unknown, unknown]> | undefined,
  items: Iterable<unknown> | undefined
): Effect.Effect<any, ManagerClosed | SerializationError | InvalidArgument> =>
  Effect.suspend((): Effect.Effect<M.ManagedCore, ManagerClosed | SerializationError | InvalidArgument> => {
    const owner = manager as ManagerImpl
    if (owner.closed) return Effect.fail(new ManagerClosed())
    const pairs = entries === undefined ? undefined : Array.from(entries)
    const list = items === undefined ? undefined : Array.from(items)
    for (const [k, v] of pairs ?? []) {
      if (!isKey(k)) return Effect.fail(badKey(operation, k))
      const refused = refuse(operation, v, `[${String(k)}]`)
      if (refused !== undefined) return Effect.fail(refused)
    }
    const refused = list === undefined ? undefined : refuse(operation, list, "values")
    if (refused !== undefined) return Effect.fail(refused)
    const object = new M.ManagedCore(shape)
    object.init(structuredClone(pairs) as Array<[Key, unknown]> | undefined, structuredClone(list))
    owner.objects.add(object)
    return Effect.succeed(object)
  })

/**
 * A new dict in the main program, with the given entries (copied). Python: `manager.dict(init)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dict = <K extends Key = Key, V = unknown>(
  manager: Manager,
  init?: Iterable<readonly [K, V]> | (K extends string ? Record<K, V> : never)
): Effect.Effect<Dict<K, V>, ManagerClosed | SerializationError | InvalidArgument> =>
  create(
    "Manager.dict",
    manager,
    "dict",
    init === undefined ? undefined : Symbol.iterator in init ? init as Iterable<readonly [K, V]> : Object.entries(init),
    undefined
  ).pipe(Effect.withSpan("Manager.dict"))

/**
 * A new list in the main program, with the given items (copied). Python: `manager.list(init)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const list = <A = unknown>(
  manager: Manager,
  init?: Iterable<A>
): Effect.Effect<List<A>, ManagerClosed | SerializationError | InvalidArgument> =>
  create("Manager.list", manager, "list", undefined, init).pipe(Effect.withSpan("Manager.list"))

/**
 * A new namespace in the main program, with the given fields (copied). Python: `manager.Namespace(**init)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const namespace = <A extends Record<string, unknown>>(
  manager: Manager,
  init: A
): Effect.Effect<Namespace<A>, ManagerClosed | SerializationError | InvalidArgument> =>
  create("Manager.namespace", manager, "namespace", Object.entries(init), undefined).pipe(
    Effect.withSpan("Manager.namespace")
  )

// -- dicts -------------------------------------------------------------------------------

/**
 * The value under `key`, if there is one. Python: `d.get(key)`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const get: {
  <K extends Key>(key: K): <V>(self: Dict<K, V>) => Effect.Effect<Option.Option<V>, ManagerClosed>
  <K extends Key, V>(self: Dict<K, V>, key: K): Effect.Effect<Option.Option<V>, ManagerClosed>
} = dual(2, <K extends Key, V>(self: Dict<K, V>, key: K) =>
  Effect.map(call<readonly [boolean, V]>(self, M.D_GET, key), ([found, value]) => found ? Option.some(value) : Option.none()))

/**
 * Stores `value` (a copy) under `key`. Python: `d[key] = value`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const set: {
  <K extends Key, V>(key: K, value: V): (self: Dict<K, V>) => Effect.Effect<void, ManagerClosed | SerializationError | InvalidArgument>
  <K extends Key, V>(self: Dict<K, V>, key: K, value: V): Effect.Effect<void, ManagerClosed | SerializationError | InvalidArgument>
} = dual(3, <K extends Key, V>(self: Dict<K, V>, key: K, value: V) =>
  Effect.suspend((): Effect.Effect<void, ManagerClosed | SerializationError | InvalidArgument> => {
    if (!isKey(key)) return Effect.fail(badKey("Manager.set", key))
    const refused = refuse("Manager.set", value, "value")
    return refused !== undefined ? Effect.fail(refused) : call<void>(self, M.D_SET, [key, value])
  }))

/**
 * Removes `key`: whether it was there. Python: `del d[key]` (ours does not fail on a missing key).
 * Also exported as `delete`, `Map`'s name: `Manager.delete(d, key)`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const remove: {
  <K extends Key>(key: K): <V>(self: Dict<K, V>) => Effect.Effect<boolean, ManagerClosed>
  <K extends Key, V>(self: Dict<K, V>, key: K): Effect.Effect<boolean, ManagerClosed>
} = dual(2, <K extends Key, V>(self: Dict<K, V>, key: K) => call<boolean>(self, M.D_DELETE, key))

export {
  /**
   * `remove` under `Map`'s name: `Manager.delete(d, key)`. Python: `del d[key]`.
   *
   * @since 0.1.0
   * @category dicts
   */
  remove as delete
}

/**
 * Whether `key` is there. Python: `key in d`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const has: {
  <K extends Key>(key: K): <V>(self: Dict<K, V>) => Effect.Effect<boolean, ManagerClosed>
  <K extends Key, V>(self: Dict<K, V>, key: K): Effect.Effect<boolean, ManagerClosed>
} = dual(2, <K extends Key, V>(self: Dict<K, V>, key: K) => call<boolean>(self, M.D_HAS, key))

/**
 * The keys, in insertion order. Python: `d.keys()`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const keys = <K extends Key, V>(self: Dict<K, V>): Effect.Effect<Array<K>, ManagerClosed> => call(self, M.D_KEYS)

/**
 * The values (copies), in insertion order. Python: `d.values()`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const values = <K extends Key, V>(self: Dict<K, V>): Effect.Effect<Array<V>, ManagerClosed> => call(self, M.D_VALUES)

/**
 * The entries (copies), in insertion order. Python: `d.items()`, and `print(d)`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const entries = <K extends Key, V>(self: Dict<K, V>): Effect.Effect<Array<[K, V]>, ManagerClosed> =>
  call(self, M.D_ENTRIES)

/**
 * How many entries. Python: `len(d)`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const size = (self: Dict<any, any>): Effect.Effect<number, ManagerClosed> => call(self, M.D_SIZE)

/**
 * Removes every entry. Python: `d.clear()`.
 *
 * @since 0.1.0
 * @category dicts
 */
export const clear = (self: Dict<any, any>): Effect.Effect<void, ManagerClosed> => call(self, M.D_CLEAR)

/**
 * Replaces the value under `key` (undefined when absent) with `f` of it,
 * atomically: `f` runs in the caller, and its result is written only if
 * nothing changed the dict meanwhile, else it runs again on the new value
 * (so keep it pure). Python has no such call (`d[k] += 1` loses updates).
 *
 * @since 0.1.0
 * @category dicts
 */
export const update: {
  <K extends Key, V>(key: K, f: (current: V | undefined) => V): (self: Dict<K, V>) => Effect.Effect<V, ManagerClosed | SerializationError | InvalidArgument>
  <K extends Key, V>(self: Dict<K, V>, key: K, f: (current: V | undefined) => V): Effect.Effect<V, ManagerClosed | SerializationError | InvalidArgument>
} = dual(3, <K extends Key, V>(self: Dict<K, V>, key: K, f: (current: V | undefined) => V) => {
  if (!isKey(key)) return Effect.fail(badKey("Manager.update", key))
  const attempt: Effect.Effect<V, ManagerClosed | SerializationError | InvalidArgument> = Effect.flatMap(
    call<readonly [boolean, V, number]>(self, M.D_GET, key),
    ([found, value, version]) => {
      const next = f(found ? value : undefined)
      const refused = refuse("Manager.update", next, "value")
      if (refused !== undefined) return Effect.fail(refused)
      return Effect.flatMap(call<boolean>(self, M.D_SET_IF, [key, version, next]), (written) => written ? Effect.succeed(next) : attempt)
    }
  )
  return attempt
})

// -- lists -------------------------------------------------------------------------------

/**
 * Appends the items (copies): the new length. Python: `l.append(x)`, `l.extend(xs)`.
 *
 * @since 0.1.0
 * @category lists
 */
export const push = <A>(self: List<A>, ...items: ReadonlyArray<A>): Effect.Effect<number, ManagerClosed | SerializationError> =>
  Effect.suspend((): Effect.Effect<number, ManagerClosed | SerializationError> => {
    const refused = refuse("Manager.push", items, "items")
    return refused !== undefined ? Effect.fail(refused) : call<number>(self, M.L_PUSH, items)
  })

/**
 * The item at `index` (negative counts from the end). Python: `l[i]`.
 *
 * @since 0.1.0
 * @category lists
 */
export const at: {
  (index: number): <A>(self: List<A>) => Effect.Effect<A, ManagerClosed | IndexOutOfRange>
  <A>(self: List<A>, index: number): Effect.Effect<A, ManagerClosed | IndexOutOfRange>
} = dual(2, <A>(self: List<A>, index: number) =>
  Effect.flatMap(call<readonly [boolean, A, number, number]>(self, M.L_AT, index), ([inRange, value, , length]) =>
    inRange ? Effect.succeed(value) : Effect.fail(new IndexOutOfRange({ index, length }))))

/**
 * Stores `value` (a copy) at `index` (negative counts from the end). Python: `l[i] = x`.
 *
 * @since 0.1.0
 * @category lists
 */
export const setAt: {
  <A>(index: number, value: A): (self: List<A>) => Effect.Effect<void, ManagerClosed | IndexOutOfRange | SerializationError>
  <A>(self: List<A>, index: number, value: A): Effect.Effect<void, ManagerClosed | IndexOutOfRange | SerializationError>
} = dual(3, <A>(self: List<A>, index: number, value: A) =>
  Effect.suspend((): Effect.Effect<void, ManagerClosed | IndexOutOfRange | SerializationError> => {
    const refused = refuse("Manager.setAt", value, "value")
    if (refused !== undefined) return Effect.fail(refused)
    return Effect.flatMap(call<boolean>(self, M.L_SET, [index, value]), (inRange) =>
      inRange ? Effect.void : Effect.flatMap(length(self), (length) => Effect.fail(new IndexOutOfRange({ index, length }))))
  }))

/**
 * Replaces the item at `index` with `f` of it, atomically (see `update`).
 *
 * @since 0.1.0
 * @category lists
 */
export const updateAt: {
  <A>(index: number, f: (a: A) => A): (self: List<A>) => Effect.Effect<A, ManagerClosed | IndexOutOfRange | SerializationError>
  <A>(self: List<A>, index: number, f: (a: A) => A): Effect.Effect<A, ManagerClosed | IndexOutOfRange | SerializationError>
} = dual(3, <A>(self: List<A>, index: number, f: (a: A) => A) => {
  const attempt: Effect.Effect<A, ManagerClosed | IndexOutOfRange | SerializationError> = Effect.flatMap(
    call<readonly [boolean, A, number, number]>(self, M.L_AT, index),
    ([inRange, value, version, length]) => {
      if (!inRange) return Effect.fail(new IndexOutOfRange({ index, length }))
      const next = f(value)
      const refused = refuse("Manager.updateAt", next, "value")
      if (refused !== undefined) return Effect.fail(refused)
      return Effect.flatMap(call<number>(self, M.L_SET_IF, [index, version, next]), (written) =>
        written === 1 ? Effect.succeed(next) : attempt)
    }
  )
  return attempt
})

/**
 * How many items. Python: `len(l)`.
 *
 * @since 0.1.0
 * @category lists
 */
export const length = (self: List<any>): Effect.Effect<number, ManagerClosed> => call(self, M.L_LENGTH)

/**
 * Removes `deleteCount` items from `start` (all to the end if omitted) and
 * inserts `items` there, as `Array.prototype.splice`: the removed items.
 * Python: `del l[a:b]`, `l[a:b] = items`, `l.insert(i, x)`, `l.pop(i)`.
 *
 * @since 0.1.0
 * @category lists
 */
export const splice = <A>(
  self: List<A>,
  start: number,
  deleteCount?: number,
  ...items: ReadonlyArray<A>
): Effect.Effect<Array<A>, ManagerClosed | SerializationError> =>
  Effect.suspend((): Effect.Effect<Array<A>, ManagerClosed | SerializationError> => {
    const refused = refuse("Manager.splice", items, "items")
    return refused !== undefined ? Effect.fail(refused) : call<Array<A>>(self, M.L_SPLICE, [start, deleteCount, items])
  })

/**
 * Every item (copies). Python: `l[:]`, and `print(l)`.
 *
 * @since 0.1.0
 * @category lists
 */
export const toArray = <A>(self: List<A>): Effect.Effect<Array<A>, ManagerClosed> => call(self, M.L_TO_ARRAY)

// -- namespaces ----------------------------------------------------------------------------

/**
 * A field's value (a copy). Python: `ns.name`.
 *
 * @since 0.1.0
 * @category namespaces
 */
export const getField: {
  <A extends Record<string, unknown>, N extends keyof A & string>(name: N): (self: Namespace<A>) => Effect.Effect<A[N], ManagerClosed>
  <A extends Record<string, unknown>, N extends keyof A & string>(self: Namespace<A>, name: N): Effect.Effect<A[N], ManagerClosed>
} = dual(2, <A extends Record<string, unknown>, N extends keyof A & string>(self: Namespace<A>, name: N) =>
  Effect.map(call<readonly [boolean, A[N]]>(self, M.D_GET, name), ([, value]) => value))

/**
 * Sets a field (a copy). Python: `ns.name = value`.
 *
 * @since 0.1.0
 * @category namespaces
 */
export const setField: {
  <A extends Record<string, unknown>, N extends keyof A & string>(name: N, value: A[N]): (self: Namespace<A>) => Effect.Effect<void, ManagerClosed | SerializationError>
  <A extends Record<string, unknown>, N extends keyof A & string>(self: Namespace<A>, name: N, value: A[N]): Effect.Effect<void, ManagerClosed | SerializationError>
} = dual(3, <A extends Record<string, unknown>, N extends keyof A & string>(self: Namespace<A>, name: N, value: A[N]) =>
  Effect.suspend((): Effect.Effect<void, ManagerClosed | SerializationError> => {
    const refused = refuse("Manager.setField", value, name)
    return refused !== undefined ? Effect.fail(refused) : call<void>(self, M.D_SET, [name, value])
  }))

/**
 * Replaces a field with `f` of it, atomically (see `update`).
 *
 * @since 0.1.0
 * @category namespaces
 */
export const updateField: {
  <A extends Record<string, unknown>, N extends keyof A & string>(name: N, f: (a: A[N]) => A[N]): (self: Namespace<A>) => Effect.Effect<A[N], ManagerClosed | SerializationError | InvalidArgument>
  <A extends Record<string, unknown>, N extends keyof A & string>(self: Namespace<A>, name: N, f: (a: A[N]) => A[N]): Effect.Effect<A[N], ManagerClosed | SerializationError | InvalidArgument>
} = dual(3, <A extends Record<string, unknown>, N extends keyof A & string>(self: Namespace<A>, name: N, f: (a: A[N]) => A[N]) =>
  update(self as unknown as Dict<N, A[N]>, name, (current) => f(current as A[N])))

/**
 * Every field (a copy), as a plain object. Python: `print(ns)`.
 *
 * @since 0.1.0
 * @category namespaces
 */
export const fields = <A extends Record<string, unknown>>(self: Namespace<A>): Effect.Effect<A, ManagerClosed> =>
  Effect.map(call<Array<[string, unknown]>>(self, M.D_ENTRIES), (pairs) => Object.fromEntries(pairs) as A)
