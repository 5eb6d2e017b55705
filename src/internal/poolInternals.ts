/**
 * What `Process` needs of the pool it runs on (one worker, one task): the
 * scheduler, to reach its worker directly (identity, a signal of choice), and
 * a way to name its worker.
 */
import type { Scheduler } from "./scheduler.ts"

export const schedulers = new WeakMap<object, Scheduler>()

/**
 * The key under which `Process.start` gives `Pool.make` its worker's name (as
 * `Process.current` reports it there). A symbol, not an option a user can
 * write: a `name` in a user's pool options is ignored as any unknown option.
 */
export const workerName: unique symbol = Symbol("effect-multiprocessing/workerName")
