/**
 * Effect modules that only some calls need, loaded on their first use
 * instead of at import. `effect/Stream` costs ~10 ms at start-up and
 * `effect/Schema` ~40 ms; a program that never asks for a Stream (imap,
 * Queue.stream), never meets one of our errors and uses no contract never
 * pays them. The load is synchronous (Node >= 22.12 `require`s an ES module),
 * so the functions that need a module keep their synchronous signatures; it
 * is the very module an `import` of the same name gives.
 *
 * One case Node refuses: a `require` while an `import()` of the same module
 * is still loading elsewhere in the program (ERR_REQUIRE_ESM_RACE_CONDITION).
 * Our own dynamic imports of Schema (executor.ts) happen only once a task
 * module that uses Schema has loaded it; a program that imports Schema or
 * Stream statically, or awaits its dynamic imports, never meets it.
 */
import type * as Cause from "effect/Cause"
import type * as ChannelModule from "effect/Channel"
import { createRequire } from "node:module"
import type * as SchemaModule from "effect/Schema"
import type * as StreamModule from "effect/Stream"

const require = createRequire(import.meta.url)

let stream: typeof StreamModule | undefined
let schema: typeof SchemaModule | undefined
let channel: typeof ChannelModule | undefined

/** `effect/Stream`, loaded on first use. */
export const Stream = (): typeof StreamModule => stream ??= require("effect/Stream")

/** `effect/Channel` (loaded with `effect/Stream`), on first use. */
export const Channel = (): typeof ChannelModule => channel ??= require("effect/Channel")

/** `effect/Schema`, loaded on first use. */
export const Schema = (): typeof SchemaModule => schema ??= require("effect/Schema")

/** `node:v8` (~0.5 ms at start-up): only queue items JSON cannot carry, and the cluster, need it. */
export const V8 = (): typeof import("node:v8") => process.getBuiltinModule("node:v8")

// What a Schema class has on itself (effect 4.1's makeClass), read through
// the base before the Schema class exists: reading one makes it.
const statics: ReadonlyArray<PropertyKey> = [
  "~effect/Schema/Schema",
  Symbol.for("immer-draftable"),
  "identifier",
  "fields",
  "ast",
  "pipe",
  "rebuild",
  "make",
  "makeOption",
  "makeEffect",
  "annotate",
  "annotateKey",
  "check",
  "extend",
  "mapFields"
]

/**
 * `Schema.TaggedError<Self>()(tag, fields)`, made when first needed: the
 * class declared with it (`class E extends TaggedError<E>()("E", (S) => ({...}))`)
 * starts on a stand-in base, and the first `new E(...)`, or the first read of
 * a Schema member of `E`, loads Schema, makes the real `Schema.TaggedError`
 * class and puts it under `E` (its constructor and its prototype), so from
 * then on `E` is exactly what `extends Schema.TaggedError<E>()(...)` gives.
 * The fields are a function of the Schema module for that reason.
 */
export const TaggedError = <Self>() =>
<Tag extends string, const Fields extends SchemaModule.Struct.Fields>(
  tag: Tag,
  fields: (Schema: typeof SchemaModule) => Fields
): SchemaModule.Class<Self, SchemaModule.TaggedStruct<Tag, Fields>, Cause.YieldableError> => {
  let real: any
  const make = () => real ??= Schema().TaggedError<any>()(tag, fields(Schema()))
  // the class declared on the stand-in (the one whose base it is), rebased
  const attach = (from: Function): void => {
    let c: Function | null = from
    while (c !== null && Object.getPrototypeOf(c) !== StandIn) c = Object.getPrototypeOf(c)
    if (c === null) return
    const base = make()
    Object.setPrototypeOf(c, base)
    Object.setPrototypeOf(c.prototype, base.prototype)
  }
  function StandIn(this: unknown, ...args: Array<unknown>) {
    attach(new.target)
    return Reflect.construct(make(), args, new.target)
  }
  for (const key of statics) {
    Object.defineProperty(StandIn, key, {
      configurable: true,
      get(this: Function) {
        attach(this)
        return (this as any)[key]
      }
    })
  }
  return StandIn as any
}
