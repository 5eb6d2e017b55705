/**
 * What `Process` needs of the pool it runs on (one worker, one task): the
 * scheduler, to reach its worker directly (identity, a signal of choice).
 */
import type { Scheduler } from "./scheduler.ts"

export const schedulers = new WeakMap<object, Scheduler>()
