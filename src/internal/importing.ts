/**
 * Which task modules a worker is importing now: a global per thread (so that
 * every copy of the library sees it), kept from the start of the import to
 * the end of the module's top level and any top-level await. The guard
 * against a thread bomb reads it (bootstrap.ts). No Effect here: the worker
 * entry loads this at start.
 */
const IMPORTING = Symbol.for("effect-multiprocessing/importing")
const FATAL = Symbol.for("effect-multiprocessing/fatal")
const DYING = Symbol.for("effect-multiprocessing/dying")

const importing = (): Set<string> => ((globalThis as any)[IMPORTING] ??= new Set<string>())

/** Imports a task module in a worker, recording it while it loads. */
export const importTaskModule = (module: string): Promise<unknown> => {
  const set = importing()
  set.add(module)
  return import(module).finally(() => {
    set.delete(module)
    // the module's top level was refused (bootstrap.ts): the worker is ending, and none of its tasks may run first
    if ((globalThis as any)[DYING] === true) return new Promise<never>(() => {})
  })
}

/** The worker entry's way to end the worker with an error it reports to the main program first. */
export const setFatal = (fatal: (error: unknown) => void): void => {
  ;(globalThis as any)[FATAL] = fatal
}

/**
 * Ends this worker with `error` (a refused thread bomb): the task module's
 * top level may not await its program, nor be able to see the refusal, and
 * the tasks it defines must not run as if nothing happened. Python's child
 * dies of the same RuntimeError. Outside a worker: nothing.
 */
export const dieInWorker = (error: unknown): void => {
  const fatal = (globalThis as any)[FATAL] as ((error: unknown) => void) | undefined
  if (fatal === undefined) return
  ;(globalThis as any)[DYING] = true
  fatal(error)
}

/** A module this worker is importing now, if any. */
export const importingNow = (): string | undefined => {
  const set = (globalThis as any)[IMPORTING] as Set<string> | undefined
  return set === undefined || set.size === 0 ? undefined : set.values().next().value
}
