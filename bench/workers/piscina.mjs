// piscina worker: one named export per function (`run(arg, { name })`).
export { countPrimes, echo, inc } from "./common.mjs"
