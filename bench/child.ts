/**
 * One measurement in a fresh process: `node bench/child.ts <scenario> <library> '<params json>'`.
 * Loads only the library it measures, runs the scenario, and prints one JSON
 * line: the value, a check sum of the results, and the process's peak RSS
 * (worker threads included: they share the process).
 */
import type { Params, Result } from "./child/common.ts"

const [scenario, lib, json] = process.argv.slice(2)
const params = JSON.parse(json ?? "{}") as Params
const mod = lib === "ours" ? await import("./child/ours.ts") : await import("./child/peers.ts")
const result: Result = await mod.run(scenario, lib, params)
const rssMiB = process.resourceUsage().maxRSS / 1024
console.log(JSON.stringify({ ...result, rssMiB }))
