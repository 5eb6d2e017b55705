// Our task module: plain JS like the peers' worker files (so that no worker
// loads TypeScript), importing only the Task module of the built package.
import * as Task from "effect-multiprocessing/Task"
import { countPrimes as countPrimesFn, echo as echoFn, inc as incFn } from "./common.mjs"

export const inc = Task.make(import.meta.url, "inc", incFn)
export const echo = Task.make(import.meta.url, "echo", echoFn)
/** Moves the array back instead of copying it (scenario 5t). */
export const echoT = Task.make(import.meta.url, "echoT", (a) => Task.transfer(a, [a.buffer]))
export const countPrimes = Task.make(import.meta.url, "countPrimes", countPrimesFn)
