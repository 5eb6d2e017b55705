// Scenario 4u, cold start as a user's program meets it: `node bench/cold.mjs <library>` times, from this
// program's first line, importing effect/Effect (an Effect program has it whichever pool it uses) and the library,
// making a pool of 2, running one task and closing the pool. Prints one JSON line as bench/child.ts does. Each
// library's worker file is its lean `*-cold.mjs` (one function), as ../../shared/probes' are.
const t0 = performance.now()
const lib = process.argv[2]
const here = (file) => new URL(file, import.meta.url).href
await import("effect/Effect")
let y
if (lib === "ours") {
  const Effect = await import("effect/Effect")
  const { Pool } = await import("effect-multiprocessing")
  const { inc } = await import(here("./workers/ours-cold.mjs"))
  y = await Effect.runPromise(Effect.scoped(Effect.flatMap(Pool.make({ processes: 2 }), (pool) => pool.apply(inc, [41]))))
} else if (lib === "piscina" || lib === "tinypool") {
  const mod = await import(lib)
  const Ctor = mod.Piscina ?? mod.Tinypool
  const pool = new Ctor({ filename: new URL(`./workers/${lib}-cold.mjs`, import.meta.url).pathname, minThreads: 2, maxThreads: 2 })
  y = await pool.run(41, { name: "inc" })
  await pool.destroy()
} else if (lib === "workerpool") {
  const workerpool = (await import("workerpool")).default
  const pool = workerpool.pool(new URL("./workers/workerpool-cold.mjs", import.meta.url).pathname, { minWorkers: 2, maxWorkers: 2, workerType: "thread" })
  y = await pool.exec("inc", [41])
  await pool.terminate()
} else if (lib === "raw") {
  const { Worker } = await import("node:worker_threads")
  const workers = [0, 1].map(() => new Worker(new URL("./workers/raw-cold.mjs", import.meta.url)))
  y = await new Promise((resolve) => {
    workers[0].once("message", (reply) => resolve(reply[1]))
    workers[0].postMessage([0, "inc", 41])
  })
  await Promise.all(workers.map((w) => w.terminate()))
} else {
  throw new Error(`cold.mjs: no library ${lib}`)
}
const value = performance.now() - t0
console.log(JSON.stringify({ value, check: y, rssMiB: process.resourceUsage().maxRSS / 1024 }))
