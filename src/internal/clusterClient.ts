/**
 * The client of a cluster pool: the `Pool` interface over the entity of
 * cluster.ts. Each message carries a chunk; messages are spread over many
 * entity ids (hence over every runner's shards).
 */
import * as RunnerStorage from "effect/cluster/RunnerStorage"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Latch from "effect/Latch"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { randomBytes } from "node:crypto"
import * as v8 from "node:v8"
import * as Errors from "../errors.ts"
import type { Pool } from "../Pool.ts"
import type { Any } from "../Task.ts"
import { checkOptions, describe, isTask, notArray, notIterable, notTask } from "./check.ts"
import { findUncloneable } from "./clone.ts"
import { decode, decodeReply, type Ledger, makeLedger, PoolEntity, rootDir, taskKey } from "./cluster.ts"
import { encodePayload } from "./decode.ts"
import * as P from "./protocol.ts"

// A chunk is sent again at most this many times after its runner gave up its shard (see againWhenMoved).
const MOVED_RESENDS = 20
const MOVED_RESEND_DELAY = "100 millis"

/**
 * A runner that stops serving a chunk's shard while it runs the chunk (a
 * runner joined and takes the shard, or the runner is stopping) interrupts it
 * once `entityTerminationTimeout` has passed, and effect/cluster ends a
 * volatile message's call with that interrupt. It is not the caller's, so
 * the chunk is sent again, to the shard's new owner (the same chunk id: a late
 * reply of the first copy is dropped). The caller's own interrupt ends the
 * loop, as it ends every Effect.
 */
export const againWhenMoved = <A, E, R>(call: Effect.Effect<A, E, R>, left = MOVED_RESENDS): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.exit(call), (exit) =>
    Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) && left > 0
      ? Effect.andThen(Effect.sleep(MOVED_RESEND_DELAY), againWhenMoved(call, left - 1))
      : exit)

export interface ClientOptions {
  readonly root?: string | URL | undefined
  readonly entities?: number | undefined
  readonly runners?: number | undefined
  readonly timeout?: Duration.Input | undefined
}

type State = "running" | "closed" | "terminated"

export const make = Effect.fnUntraced(function*(options: ClientOptions = {}) {
  const { root: _root, ...checked } = options
  const wrong = checkOptions("Cluster.pool", checked, { entities: "whole>=1", runners: "whole>=1", timeout: "duration" })
  if (wrong !== undefined) return yield* wrong
  if (options.root !== undefined && typeof options.root !== "string" && !(options.root instanceof URL)) {
    return yield* new Errors.InvalidArgument({ reason: `Cluster.pool: the option root must be a directory path or a file URL, got ${describe(options.root)}` })
  }
  const root = rootDir(options.root)
  const entities = options.entities ?? 64
  const scope = yield* Scope.Scope
  const client = yield* PoolEntity.client
  const storage = yield* RunnerStorage.RunnerStorage
  const defaultTimeout = options.timeout

  // -- runners, for chunk sizes ------------------------------------------------
  let lastCount = 1
  const runnerCount: Effect.Effect<number> = options.runners !== undefined
    ? Effect.succeed(options.runners)
    : storage.getRunners.pipe(
      Effect.map((runners) => (lastCount = Math.max(1, runners.filter(([, healthy]) => healthy).length))),
      Effect.orElseSucceed(() => lastCount)
    )
  const processes = yield* runnerCount

  // -- lifecycle ---------------------------------------------------------------
  let state: State = "running"
  let inflight = 0
  const idle = yield* Latch.make(true)
  const terminated = yield* Deferred.make<never, Errors.PoolNotRunning>()
  const settle = Effect.suspend(() => --inflight === 0 && state !== "running" ? idle.open : Effect.void)
  /** Refused unless running; counted while in flight; ended by terminate. */
  const guarded = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Errors.PoolNotRunning, R> =>
    Effect.suspend(() => {
      if (state !== "running") return Effect.fail(new Errors.PoolNotRunning({ state }))
      if (inflight++ === 0) idle.closeUnsafe()
      return Effect.raceFirst(effect, Deferred.await(terminated)).pipe(Effect.ensuring(settle))
    })
  const stop = (next: State) =>
    Effect.suspend(() => {
      if (state === "terminated" || (state === "closed" && next === "closed")) return Effect.void
      state = next
      return Effect.andThen(
        next === "terminated" ? Deferred.fail(terminated, new Errors.PoolNotRunning({ state: "terminated" })) : Effect.void,
        inflight === 0 ? idle.open : Effect.void
      )
    })
  const terminate = stop("terminated").pipe(Effect.andThen(idle.await), Effect.withSpan("Cluster.terminate"))
  yield* Scope.addFinalizer(scope, terminate)

  const timed = <A, E, R>(task: Any, timeout: Duration.Input | undefined, effect: Effect.Effect<A, E, R>) => {
    const t = timeout ?? defaultTimeout
    if (t === undefined) return effect
    const millis = Duration.toMillis(Duration.fromInputUnsafe(t))
    return Effect.timeoutOrElse(effect, {
      duration: t,
      orElse: () => Effect.fail(new Errors.TaskTimedOut({ task: task.key, millis }))
    })
  }

  // -- messages ------------------------------------------------------------------
  let next = Math.floor(Math.random() * entities)
  const entityId = (i?: number) => String(i === undefined ? (next = (next + 1) % entities) : i % entities)

  // Chunk ids are `<client>.<call>.<index>`: unique across the pools on one cluster.
  const clientId = randomBytes(6).toString("hex")
  let calls = 0
  const ledger = (): Ledger => makeLedger(`${clientId}.${++calls}`)

  /**
   * One message: the input serialized, sent to an entity id as chunk `index`
   * of a call; the reply's `[status, value]`, or undefined for a reply the
   * ledger drops as a duplicate (its chunk was delivered already).
   */
  const send = (
    task: Any,
    op: "apply" | "map" | "starmap",
    exit: boolean,
    input: ReadonlyArray<unknown>,
    id: string,
    chunks: Ledger,
    index: number
  ): Effect.Effect<readonly [number, unknown] | undefined, Errors.PoolError> => {
    let data: Uint8Array
    try {
      data = v8.serialize(input)
    } catch (e) {
      const bad = findUncloneable(input, op === "apply" ? "args" : "inputs")
      return Effect.fail(
        new Errors.SerializationError({
          task: task.key,
          direction: "argument",
          ...(bad ?? { path: op === "apply" ? "args" : "inputs", valueType: e instanceof Error ? e.message : String(e) })
        })
      )
    }
    const chunk = chunks.id(index)
    return againWhenMoved(client(id).Run({ chunk, task: taskKey(root, task), op, exit, data })).pipe(
      Effect.mapError((e) => new Errors.ClusterCallFailed({ task: task.key, clusterError: e._tag, reason: e.message })),
      Effect.flatMap((bytes) => {
        const [status, value, echoed] = decodeReply(bytes)
        switch (chunks.accept(index, echoed)) {
          case "first":
            return Effect.succeed([status, value] as const)
          case "duplicate":
            return Effect.as(Effect.logDebug(`Cluster: dropped a second reply for chunk ${chunk}`), undefined)
          case "foreign":
            return Effect.fail(
              new Errors.ClusterCallFailed({
                task: task.key,
                clusterError: "ForeignReply",
                reason: `the reply to chunk ${chunk} answers chunk ${echoed}`
              })
            )
        }
      })
    )
  }

  // -- checks ----------------------------------------------------------------------
  const refuse = (operation: string, task: unknown): Errors.InvalidArgument | undefined => {
    if (!isTask(task)) return notTask(operation, task)
    const services = (task as Any).contract?.services
    if (services !== undefined && services.length > 0) {
      return new Errors.InvalidArgument({
        reason: `${operation}: ${(task as Any).key} declares services, which cannot reach another machine; pass what it needs as arguments`
      })
    }
    return undefined
  }

  const apply = (task: Any, args: ReadonlyArray<unknown>, options?: { readonly timeout?: Duration.Input }) =>
    Effect.suspend(() => {
      const wrong = refuse("pool.apply", task) ??
        (Array.isArray(args) ? undefined : notArray("pool.apply", "the task's arguments", args, "pool.apply(task, [x])")) ??
        (options === undefined ? undefined : checkOptions("pool.apply", options, { timeout: "duration", transfer: "array" }))
      if (wrong !== undefined) return Effect.fail(wrong)
      const prepared = encodePayload(task, args)
      if (!Array.isArray(prepared)) return Effect.fail(prepared as Errors.InvalidPayload)
      return guarded(timed(
        task,
        options?.timeout,
        // one chunk, so never a duplicate
        Effect.flatMap(send(task, "apply", false, prepared, entityId(), ledger(), 0), (reply) => decode(task, reply![0], reply![1]))
      ))
    })

  /**
   * One chunk as one message. Fail-fast: its results (decoded) or its first
   * failure; exit mode: every input's Exit (a chunk that failed as a whole
   * gives its failure to each of its inputs). Undefined: a duplicate reply,
   * dropped (the chunk's results were delivered).
   */
  const chunk = (
    task: Any,
    star: boolean,
    part: ReadonlyArray<unknown>,
    exitMode: boolean,
    id: string,
    chunks: Ledger,
    index: number
  ): Effect.Effect<Array<any> | undefined, any> => {
    const sent = send(task, star ? "starmap" : "map", exitMode, part, id, chunks, index)
    if (exitMode) {
      return Effect.map(Effect.exit(sent), (reply): Array<Exit.Exit<any, any>> | undefined => {
        const whole = (exit: Exit.Exit<any, any>) => part.map(() => exit)
        if (Exit.isFailure(reply)) return whole(reply as Exit.Exit<any, any>)
        if (reply.value === undefined) return undefined
        const [status, value] = reply.value
        if (status !== P.S_OK) return whole(decode(task, status, value))
        const flat = value as Array<unknown>
        const exits: Array<Exit.Exit<any, any>> = []
        for (let k = 0; k < flat.length; k += 2) exits.push(decode(task, flat[k] as number, flat[k + 1]))
        return exits
      })
    }
    return Effect.flatMap(sent, (reply): Effect.Effect<Array<unknown> | undefined, any> => {
      if (reply === undefined) return Effect.undefined
      const [status, value] = reply
      if (status !== P.S_OK) return decode(task, status, value) as Exit.Exit<never, any>
      const values = value as Array<unknown>
      if (task.contract?.success === undefined) return Effect.succeed(values)
      const out: Array<unknown> = []
      for (const v of values) {
        const exit = decode(task, P.S_OK, v)
        if (Exit.isFailure(exit)) return exit
        out.push(exit.value)
      }
      return Effect.succeed(out)
    })
  }

  const checkInputs = (operation: string, task: unknown, inputs: unknown, options: unknown, stream: boolean) => {
    const wrong = refuse(operation, task) ?? notIterable(operation, inputs, stream)
    if (wrong !== undefined) return wrong
    return options === undefined ? undefined : checkOptions(operation, options, {
      chunksize: "whole>=1",
      timeout: "duration",
      ...(stream ? { window: "whole>=1" } : { mode: "string" })
    })
  }

  const mapWith = (star: boolean) =>
  (
    task: Any,
    inputs: Iterable<unknown>,
    options?: { readonly chunksize?: number; readonly mode?: "fail-fast" | "exit"; readonly timeout?: Duration.Input }
  ) =>
    Effect.gen(function*() {
      const operation = star ? "pool.starmap" : "pool.map"
      const wrong = checkInputs(operation, task, inputs, options, false)
      if (wrong !== undefined) return yield* wrong
      const exitMode = options?.mode === "exit"
      const items = Array.isArray(inputs) ? inputs : Array.from(inputs)
      const results: Array<unknown> = new Array(items.length)
      // each input as it is sent (its argument list encoded by the payload contract)
      let sent: Array<unknown> = items
      let slots: Array<number> | undefined
      for (let i = 0; i < items.length; i++) {
        if (star && !Array.isArray(items[i])) {
          return yield* notArray(operation, `each input (the arguments of one call; inputs[${i}])`, items[i], "pool.starmap(task, [[a, b], [c, d]])")
        }
      }
      if (task.contract?.payload !== undefined) {
        sent = []
        slots = []
        for (let i = 0; i < items.length; i++) {
          const prepared = encodePayload(task, star ? items[i] as ReadonlyArray<unknown> : [items[i]])
          if (!Array.isArray(prepared)) {
            if (!exitMode) return yield* (prepared as Errors.InvalidPayload)
            results[i] = Exit.fail(prepared)
            continue
          }
          sent.push(star ? prepared : prepared[0])
          slots.push(i)
        }
      }
      const n = sent.length
      if (n === 0) return results
      const runners = yield* runnerCount
      const size = options?.chunksize ?? Math.max(1, Math.ceil(n / (8 * runners)))
      const starts: Array<number> = []
      for (let start = 0; start < n; start += size) starts.push(start)
      const base = Math.floor(Math.random() * entities)
      const chunks = ledger()
      yield* guarded(timed(
        task,
        options?.timeout,
        Effect.forEach(
          starts,
          (start, c) =>
            Effect.map(chunk(task, star, sent.slice(start, start + size), exitMode, entityId(base + c), chunks, c), (values) => {
              if (values === undefined) return
              for (let k = 0; k < values.length; k++) {
                const at = start + k
                results[slots === undefined ? at : slots[at]!] = values[k]
              }
            }),
          { concurrency: 32 * runners, discard: true }
        )
      ))
      return results
    })

  const streamWith = (unordered: boolean) =>
  (
    task: Any,
    inputs: Iterable<unknown> | Stream.Stream<unknown, unknown, unknown>,
    options?: { readonly chunksize?: number; readonly window?: number; readonly timeout?: Duration.Input }
  ): Stream.Stream<any, any, any> => {
    const operation = unordered ? "pool.imapUnordered" : "pool.imap"
    const wrong = checkInputs(operation, task, inputs, options, true)
    if (wrong !== undefined) return Stream.fail(wrong)
    const size = options?.chunksize ?? 64
    const window = options?.window ?? 4 * processes
    const source = Stream.isStream(inputs) ? inputs : Stream.fromIterable(inputs)
    // a ledger and chunk count per run of the stream
    return Stream.suspend(() => {
      const chunks = ledger()
      let index = 0
      return source.pipe(
        Stream.grouped(size),
        Stream.mapEffect((part) =>
          Effect.suspend(() => {
            const c = index++
            let sent: ReadonlyArray<unknown> = part
            if (task.contract?.payload !== undefined) {
              const encoded: Array<unknown> = []
              for (const x of part) {
                const prepared = encodePayload(task, [x])
                if (!Array.isArray(prepared)) return Effect.fail(prepared as Errors.InvalidPayload)
                encoded.push(prepared[0])
              }
              sent = encoded
            }
            return guarded(timed(task, options?.timeout, chunk(task, false, sent, false, entityId(), chunks, c))).pipe(
              Effect.map((values) => values ?? [])
            )
          }), { concurrency: window, unordered }),
        Stream.flattenIterable
      )
    })
  }

  const map = mapWith(false)
  const starmap = mapWith(true)
  const imap = streamWith(false)
  const imapUnordered = streamWith(true)

  const pool: Pool = {
    processes,
    startMethod: "thread",
    workers: Effect.succeed([]),
    apply: Effect.fn("Cluster.apply")(function*(task: Any, args: ReadonlyArray<unknown>, options?: any) {
      return yield* apply(task, args, options)
    }) as Pool["apply"],
    applyAsync: ((task: Any, args: ReadonlyArray<unknown>, options?: any) =>
      Effect.forkIn(apply(task, args, options), scope, { startImmediately: true }).pipe(
        Effect.withSpan("Cluster.applyAsync")
      ) as Effect.Effect<Fiber.Fiber<any, any>>) as Pool["applyAsync"],
    map: Effect.fn("Cluster.map")(function*(task: Any, inputs: Iterable<unknown>, options?: any) {
      return yield* map(task, inputs, options)
    }) as unknown as Pool["map"],
    starmap: Effect.fn("Cluster.starmap")(function*(task: Any, inputs: Iterable<unknown>, options?: any) {
      return yield* starmap(task, inputs, options)
    }) as unknown as Pool["starmap"],
    imap: ((task: Any, inputs: any, options?: any) => Stream.withSpan(imap(task, inputs, options), "Cluster.imap")) as Pool["imap"],
    imapUnordered: ((task: Any, inputs: any, options?: any) =>
      Stream.withSpan(imapUnordered(task, inputs, options), "Cluster.imapUnordered")) as Pool["imapUnordered"],
    close: stop("closed").pipe(Effect.withSpan("Cluster.close")),
    join: Effect.suspend(() =>
      state === "running"
        ? Effect.fail(new Errors.InvalidArgument({ reason: "join() needs close() or terminate() first" }))
        : idle.await
    ).pipe(Effect.withSpan("Cluster.join")),
    terminate
  }
  return pool
})

