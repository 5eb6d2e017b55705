/**
 * The scenarios on our library, written as a user would: one Effect program
 * per scenario, a pool of 2 on the default `thread` start method.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type * as Scope from "effect/Scope"
import type * as Lib from "../../src/index.ts"
import { countPrimes, echo, echoT, inc } from "../workers/ours.mjs"
import * as W from "../workers/common.mjs"
import * as S from "../workers/ours-shared.mjs"
import { checkEcho, median, type Params, payload, range, type Result, sum } from "./common.ts"

// Measured as users get it: the built package in dist/ (`npm run bench` builds it
// first), imported by its name as a user's program does, typed by the sources.
const dist = "effect-multiprocessing"
const { Lock, Manager, Pipe, Pool, Process, Queue, Shared } = (await import(dist)) as typeof Lib

type Scenario = (p: Params) => Effect.Effect<Result, unknown, Lib.Pool.Pool>

const applyAll = (pool: Lib.Pool.Pool, xs: ReadonlyArray<number>) =>
  Effect.forEach(xs, (x) => pool.apply(inc, [x]), { concurrency: "unbounded" })

// 1a's floor: what the user's program itself costs, each call an asynchronous
// effect answered on this thread (in batches, a macrotask later, as worker
// replies arrive) with no worker nor message at all.
const floorAll = (xs: ReadonlyArray<number>) => {
  let answers: Array<() => void> = []
  const answerAll = () => {
    const now = answers
    answers = []
    for (const answer of now) answer()
  }
  return Effect.forEach(xs, (x) =>
    Effect.callback<number>((resume) => {
      if (answers.push(() => resume(Effect.succeed(x + 1))) === 1) setImmediate(answerAll)
    }), { concurrency: "unbounded" })
}

// 1a under an installed tracer: every call's span is made and ended.
const tracer = Tracer.make({ span: (options) => new Tracer.NativeSpan(options) })

/** `run` over `p.n` inputs once to warm up, then `p.inner` times: items/s of the median run. */
const itemsPerSecond = (
  p: Params,
  run: (pool: Lib.Pool.Pool, xs: ReadonlyArray<number>) => Effect.Effect<ReadonlyArray<number>, unknown>
) =>
  Effect.gen(function*() {
    const pool = yield* Pool.Pool
    const xs = range(p.n)
    yield* run(pool, xs)
    const secs: Array<number> = []
    let check = 0
    for (let r = 0; r < p.inner; r++) {
      const t0 = performance.now()
      const ys = yield* run(pool, xs)
      secs.push((performance.now() - t0) / 1000)
      check = sum(ys)
    }
    return { value: p.n / median(secs), check }
  })

const scenarios: Record<string, Scenario> = {
  // 1a: every call its own apply, all submitted at once; or (map1) every input
  // its own call of one map, as Python's `pool.map(f, xs, chunksize=1)`.
  "1a": (p) =>
    Effect.gen(function*() {
      const pool = yield* Pool.Pool
      const all = (xs: ReadonlyArray<number>) =>
        p.variant === "floor" ? floorAll(xs) : p.variant === "map1" ? pool.map(inc, xs, { chunksize: 1 }) : applyAll(pool, xs)
      yield* all(range(p.warm))
      const xs = range(p.n)
      const t0 = performance.now()
      const ys = yield* all(xs)
      const secs = (performance.now() - t0) / 1000
      return { value: p.n / secs, check: sum(ys) }
    }).pipe(p.variant === "traced" ? Effect.withTracer(tracer) : (self) => self),

  // 1b: pool.map with its default chunksize; each map is short, so the median of `inner` maps.
  "1b": (p) => itemsPerSecond(p, (pool, xs) => pool.map(inc, xs)),

  // 1c: pool.imap with its defaults (chunksize 1, window 16 per worker), collected; the median of `inner` runs.
  "1c": (p) => itemsPerSecond(p, (pool, xs) => Stream.runCollect(pool.imap(inc, xs))),

  // 2: one call at a time, each timed.
  "2": (p) =>
    Effect.gen(function*() {
      const pool = yield* Pool.Pool
      for (let i = 0; i < p.warm; i++) yield* pool.apply(inc, [i])
      const times = new Float64Array(p.n)
      let check = 0
      for (let i = 0; i < p.n; i++) {
        const t0 = performance.now()
        check += yield* pool.apply(inc, [i])
        times[i] = performance.now() - t0
      }
      return { value: median(times) * 1000, check, extra: { meanUs: sum(Array.from(times)) / p.n * 1000 } }
    }),

  // 5c / 5t: a 1 MiB Float64Array there and back, copied or moved both ways.
  "5c": (p) => trips(p, false),
  "5t": (p) => trips(p, true)
}

function trips(p: Params, transfer: boolean): Effect.Effect<Result, unknown, Lib.Pool.Pool> {
  return Effect.gen(function*() {
    const pool = yield* Pool.Pool
    let a: Float64Array = payload(p.size)
    const times = new Float64Array(p.n)
    let check = 0
    for (let i = 0; i < p.warm + p.n; i++) {
      a[0] = i
      const t0 = performance.now()
      const r = transfer ? yield* pool.apply(echoT, [a], { transfer: [a.buffer] }) : yield* pool.apply(echo, [a])
      const dt = performance.now() - t0
      // A transfer leaves the sender's buffer detached; else it was a copy.
      if (transfer && a.length !== 0) throw new Error("the payload was not transferred")
      checkEcho(r, i, p.size)
      if (transfer) a = r
      if (i >= p.warm) {
        times[i - p.warm] = dt
        check += i - p.warm
      }
    }
    return { value: median(times) * 1000, check }
  })
}

const withPool = (scenario: Scenario, p: Params): Promise<Result> =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(Pool.make({ processes: 2, startMethod: p.method ?? "thread" }), (pool) =>
    Effect.provideService(scenario(p), Pool.Pool, pool))))

// 3: the same CPU work on this thread, then on 2 workers (warmed with one full task each).
const cpu = async (p: Params): Promise<Result> => {
  const inputs = range(p.tasks).map((i) => p.limit + i)
  W.countPrimes(p.limit)
  const t0 = performance.now()
  const serial = inputs.map(W.countPrimes)
  const serialMs = performance.now() - t0
  return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 2 })
    yield* pool.map(countPrimes, [p.limit, p.limit], { chunksize: 1 })
    const t1 = performance.now()
    const parallel = yield* pool.map(countPrimes, inputs, { chunksize: 1 })
    const poolMs = performance.now() - t1
    if (sum(parallel) !== sum(serial)) throw new Error("pool and serial results differ")
    return { value: serialMs / poolMs, check: sum(parallel), extra: { serialMs, poolMs } }
  })))
}

// 6: 1 producer worker -> 1 consumer worker through a Queue, each item checked.
const queue = (p: Params): Promise<Result> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 2, startMethod: p.method })
    const once = (n: number) =>
      Effect.gen(function*() {
        const q = yield* Queue.make<unknown>()
        const t0 = performance.now()
        const producer = yield* pool.applyAsync(S.produce, [q, n, p.dict === true])
        const check = yield* pool.apply(S.consume, [q, n, p.dict === true])
        yield* Fiber.join(producer)
        return { value: n / ((performance.now() - t0) / 1000), check }
      }).pipe(Effect.scoped)
    yield* once(p.warm)
    return yield* once(p.n)
  })))

// 7: a duplex Pipe between this program and one worker: send, receive the answer; median per trip.
const pipe = (p: Params): Promise<Result> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const pool = yield* Pool.make({ processes: 1, startMethod: p.method })
    const [here, there] = yield* Pipe.make<number>()
    const partner = yield* pool.applyAsync(S.echoPipe, [there, p.warm + p.n])
    const times = new Float64Array(p.n)
    let check = 0
    for (let i = 0; i < p.warm + p.n; i++) {
      const t0 = performance.now()
      yield* Pipe.send(here, i)
      const y = yield* Pipe.recv(here)
      if (i >= p.warm) {
        times[i - p.warm] = performance.now() - t0
        check += y - 1 - p.warm
      }
    }
    yield* Fiber.join(partner)
    return { value: median(times) * 1000, check }
  })))

// 8, 9u, 9c: `workers` workers each run `task` n times on one shared object; all runs per second.
const shared = (
  p: Params,
  make: Effect.Effect<unknown, unknown, Scope.Scope>,
  task: typeof S.increment | typeof S.lockLoop | typeof S.dictRoundTrips,
  check: (object: any) => Effect.Effect<number, unknown>
): Promise<Result> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const workers = p.workers ?? 2
    const pool = yield* Pool.make({ processes: workers, startMethod: p.method })
    const once = (n: number) =>
      Effect.gen(function*() {
        const object = yield* make
        const t0 = performance.now()
        const call = pool.apply(task as typeof S.lockLoop, [object as Lib.Lock.Lock, n]) as Effect.Effect<number, unknown>
        yield* Effect.forEach(range(workers), () => call, { concurrency: "unbounded" })
        const secs = (performance.now() - t0) / 1000
        return { value: (workers * n) / secs, check: yield* check(object) }
      }).pipe(Effect.scoped)
    yield* once(p.warm)
    return yield* once(p.n)
  }) as Effect.Effect<Result, unknown, Scope.Scope>))

// 12: Process.start of one task, then its join (Python: Process(target, args).start(); join()), `warm` + `n` times in
// this program: the median.
const processStart = (p: Params): Promise<Result> =>
  Effect.runPromise(Effect.gen(function*() {
    const task: Lib.Task.Task<readonly [number], number, unknown> = p.effect === true ? S.incEffect : inc
    const times = new Float64Array(p.n)
    let check = 0
    for (let i = 0; i < p.warm + p.n; i++) {
      const t0 = performance.now()
      const y = yield* Effect.scoped(Effect.flatMap(Process.start(task, [i], { startMethod: p.method }), (proc) => proc.join))
      if (i >= p.warm) {
        times[i - p.warm] = performance.now() - t0
        check += y - 1 - p.warm
      }
    }
    return { value: median(times), check }
  }))

export const run = (scenario: string, _lib: string, p: Params): Promise<Result> => {
  if (scenario === "12") return processStart(p)
  if (scenario === "8") {
    return shared(p, Shared.value("i", 0), S.increment, (v) => Shared.get(v) as Effect.Effect<number>)
  }
  if (scenario === "9") return shared(p, Lock.make(), S.lockLoop, () => Effect.succeed((p.workers ?? 2) * p.n))
  if (scenario === "10") {
    const dict = Effect.flatMap(Manager.make(), (m) => Manager.dict<number, number>(m))
    return shared(p, dict, S.dictRoundTrips, () => Effect.succeed((p.workers ?? 1) * p.n))
  }
  if (scenario === "6") return queue(p)
  if (scenario === "7") return pipe(p)
  if (scenario === "3") return cpu(p)
  const s = scenarios[scenario]
  if (s === undefined) throw new Error(`ours: no scenario ${scenario}`)
  return withPool(s, p)
}
