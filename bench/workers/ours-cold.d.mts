// Types of ours-cold.mjs, for bench/child/ours-cold.ts.
import type { TaskError } from "../../src/errors.ts"
import type { Task } from "../../src/Task.ts"

export declare const inc: Task<readonly [number], number, TaskError>
