/**
 * The scenarios on the peers, through one small adapter per library: piscina,
 * tinypool, workerpool (each with 2 threads and otherwise default options),
 * and "raw", a hand-written worker_threads client that batches the calls of
 * one event-loop turn into one message per worker (the floor).
 */
import { fileURLToPath } from "node:url"
import { checkEcho, median, type Params, payload, range, type Result, sum } from "./common.ts"
import * as W from "../workers/common.mjs"

interface Adapter {
  readonly call: (name: "inc" | "countPrimes", arg: number) => Promise<number>
  /** Echo of a payload: copied, or moved in a transfer list when the adapter was made with `transfer`. */
  readonly echo: (a: Float64Array<ArrayBuffer>) => Promise<Float64Array<ArrayBuffer>>
  readonly close: () => Promise<unknown>
}

/**
 * How a pool's payloads travel: copied, or moved in a transfer list. "cold" copies, and its workers load the lean
 * `*-cold.mjs` files (one function, as ../../shared/probes' are) for the cold-start scenario.
 */
type Kind = "copy" | "move" | "cold"
const suffix = { copy: "", move: "-move", cold: "-cold" } as const
/** The file suffix of a library whose one worker file serves both copy and move. */
const coldOr = (kind: Kind): string => kind === "cold" ? "-cold" : ""

/** Imports a library (not timed) and returns how to start a pool of 2 on it. */
type Loader = () => Promise<(kind: Kind) => Adapter>

const worker = (file: string): string => fileURLToPath(new URL(`../workers/${file}`, import.meta.url))

interface RunPool {
  run(arg: unknown, options: { name: string; transferList?: Array<ArrayBuffer> | undefined }): Promise<any>
  destroy(): Promise<void>
}

const runPool = (
  Ctor: new(options: { filename: string; minThreads: number; maxThreads: number }) => RunPool,
  file: string
) =>
(kind: Kind) => {
  const transfer = kind === "move"
  const pool = new Ctor({ filename: worker(`${file}${suffix[kind]}.mjs`), minThreads: 2, maxThreads: 2 })
  return {
    call: (name: "inc" | "countPrimes", arg: number) => pool.run(arg, { name }),
    echo: (a: Float64Array) =>
      pool.run(a, { name: "echo", transferList: transfer ? [a.buffer as ArrayBuffer] : undefined }),
    close: () => pool.destroy()
  }
}

const loaders: Record<string, Loader> = {
  // piscina and tinypool share an API: `run(arg, { name, transferList })`.
  piscina: async () => runPool((await import("piscina")).Piscina, "piscina"),
  tinypool: async () => runPool((await import("tinypool")).Tinypool, "tinypool"),
  workerpool: async () => {
    const workerpool = (await import("workerpool")).default
    return (kind) => {
      const transfer = kind === "move"
      const pool = workerpool.pool(worker(`workerpool${coldOr(kind)}.mjs`), { minWorkers: 2, maxWorkers: 2, workerType: "thread" })
      return {
        // exec returns workerpool's own Promise class (a thenable): typed, not wrapped, to add no hop.
        call: (name, arg) => pool.exec(name, [arg]) as unknown as Promise<number>,
        echo: (a) =>
          (transfer ? pool.exec("echoT", [a], { transfer: [a.buffer] }) : pool.exec("echo", [a])) as unknown as Promise<
            Float64Array<ArrayBuffer>
          >,
        close: () => Promise.resolve(pool.terminate())
      }
    }
  },
  // The same client over 2 forked children and Node's IPC channel: the floor of the `process` start method.
  "raw-fork": async () => {
    const { fork } = await import("node:child_process")
    return () => {
      const children = [0, 1].map(() => fork(worker("raw-fork.mjs"), { serialization: "advanced", stdio: "inherit" }))
      const pending = new Map<number, (value: any) => void>()
      let nextId = 0
      let turn = 0
      for (const child of children) {
        child.on("message", (batch: Array<any>) => {
          for (let i = 0; i < batch.length; i += 2) {
            const resolve = pending.get(batch[i])!
            pending.delete(batch[i])
            resolve(batch[i + 1])
          }
        })
      }
      const call = (name: string, arg: unknown) =>
        new Promise<any>((resolve) => {
          const id = nextId++
          pending.set(id, resolve)
          children[(turn ^= 1)].send([id, name, arg])
        })
      return {
        call,
        echo: (a) => call("echo", a),
        close: () =>
          Promise.all(children.map((child) => new Promise((resolve) => child.once("exit", resolve).kill())))
      }
    }
  },
  raw: async () => {
    const { Worker } = await import("node:worker_threads")
    return (kind) => {
      const transfer = kind === "move"
      const workers = [0, 1].map(() => new Worker(worker(`raw${coldOr(kind)}.mjs`)))
      const pending = new Map<number, (value: any) => void>()
      let outbox: Array<Array<unknown>> = [[], []]
      let nextId = 0
      let turn = 0
      let scheduled = false
      const onReply = (batch: Array<any>) => {
        for (let i = 0; i < batch.length; i += 2) {
          const resolve = pending.get(batch[i])!
          pending.delete(batch[i])
          resolve(batch[i + 1])
        }
      }
      for (const w of workers) w.on("message", onReply)
      // Everything called in one event-loop turn leaves as one message per worker.
      const flush = () => {
        scheduled = false
        const boxes = outbox
        outbox = [[], []]
        boxes.forEach((batch, k) => batch.length > 0 && workers[k].postMessage(batch))
      }
      const call = (name: string, arg: unknown) =>
        new Promise<any>((resolve) => {
          const id = nextId++
          pending.set(id, resolve)
          outbox[turn].push(id, name, arg)
          turn ^= 1
          if (!scheduled) {
            scheduled = true
            queueMicrotask(flush)
          }
        })
      const echoMoved = (a: Float64Array<ArrayBuffer>) =>
        new Promise<Float64Array<ArrayBuffer>>((resolve) => {
          const id = nextId++
          pending.set(id, resolve)
          workers[(turn ^= 1)].postMessage([id, "echoT", a], [a.buffer])
        })
      return {
        call,
        echo: transfer ? echoMoved : (a) => call("echo", a),
        close: () => Promise.all(workers.map((w) => w.terminate()))
      }
    }
  }
}

type Scenario = (start: (kind: Kind) => Adapter, p: Params) => Promise<Result>

const callAll = (pool: Adapter, xs: ReadonlyArray<number>) => Promise.all(xs.map((x) => pool.call("inc", x)))

const trips = async (pool: Adapter, p: Params, transfer: boolean): Promise<Result> => {
  let a = payload(p.size)
  const times = new Float64Array(p.n)
  let check = 0
  for (let i = 0; i < p.warm + p.n; i++) {
    a[0] = i
    const t0 = performance.now()
    const r = await pool.echo(a)
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
  await pool.close()
  return { value: median(times) * 1000, check }
}

const scenarios: Record<string, Scenario> = {
  "1a": async (start, p) => {
    const pool = start("copy")
    await callAll(pool, range(p.warm))
    const xs = range(p.n)
    const t0 = performance.now()
    const ys = await callAll(pool, xs)
    const secs = (performance.now() - t0) / 1000
    await pool.close()
    return { value: p.n / secs, check: sum(ys) }
  },
  "2": async (start, p) => {
    const pool = start("copy")
    for (let i = 0; i < p.warm; i++) await pool.call("inc", i)
    const times = new Float64Array(p.n)
    let check = 0
    for (let i = 0; i < p.n; i++) {
      const t0 = performance.now()
      check += await pool.call("inc", i)
      times[i] = performance.now() - t0
    }
    await pool.close()
    return { value: median(times) * 1000, check, extra: { meanUs: sum(Array.from(times)) / p.n * 1000 } }
  },
  "3": async (start, p) => {
    const inputs = range(p.tasks).map((i) => p.limit + i)
    W.countPrimes(p.limit)
    const t0 = performance.now()
    const serial = inputs.map(W.countPrimes)
    const serialMs = performance.now() - t0
    const pool = start("copy")
    await Promise.all([pool.call("countPrimes", p.limit), pool.call("countPrimes", p.limit)])
    const t1 = performance.now()
    const parallel = await Promise.all(inputs.map((x) => pool.call("countPrimes", x)))
    const poolMs = performance.now() - t1
    await pool.close()
    if (sum(parallel) !== sum(serial)) throw new Error("pool and serial results differ")
    return { value: serialMs / poolMs, check: sum(parallel), extra: { serialMs, poolMs } }
  },
  "4": async (start) => {
    const t0 = performance.now()
    const pool = start("cold")
    const y = await pool.call("inc", 41)
    await pool.close()
    return { value: performance.now() - t0, check: y }
  },
  "5c": (start, p) => trips(start("copy"), p, false),
  "5t": (start, p) => trips(start("move"), p, true)
}

export const run = async (scenario: string, lib: string, p: Params): Promise<Result> => {
  const load = loaders[lib]
  const s = scenarios[scenario]
  if (load === undefined || s === undefined) throw new Error(`no scenario ${scenario} for ${lib}`)
  return s(await load(), p)
}
