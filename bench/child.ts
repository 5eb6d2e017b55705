/**
 * One measurement in a fresh process: `node bench/child.ts <scenario> <library> '<params json>'`.
 * Loads only the library it measures, runs the scenario, and prints one JSON
 * line: the value, a check sum of the results, and the process's peak RSS
 * (worker threads included: they share the process).
 */
import type { Params, Result } from "./child/common.ts"

const [scenario, lib, json] = process.argv.slice(2)
const params = JSON.parse(json ?? "{}") as Params
// (scenario 4, the cold start, loads only what its program uses: ours-cold.ts)
const mod = lib !== "ours"
  ? await import("./child/peers.ts")
  : scenario === "4"
  ? await import("./child/ours-cold.ts")
  : await import("./child/ours.ts")
const result: Result = await mod.run(scenario, lib, params)
const rssMiB = process.resourceUsage().maxRSS / 1024
console.log(JSON.stringify({ ...result, rssMiB }))
