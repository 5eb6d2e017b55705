// Types of ours.mjs, for bench/child/ours.ts.
import type { TaskError } from "../../src/errors.ts"
import type { Task } from "../../src/Task.ts"

export declare const inc: Task<readonly [number], number, TaskError>
export declare const echo: Task<readonly [Float64Array], Float64Array, TaskError>
export declare const echoT: Task<readonly [Float64Array], Float64Array, TaskError>
export declare const countPrimes: Task<readonly [number], number, TaskError>
