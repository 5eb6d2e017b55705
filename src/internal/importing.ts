/**
 * Which task modules a worker is importing now: a global per thread (so that
 * every copy of the library sees it), kept from the start of the import to
 * the end of the module's top level and any top-level await. The guard
 * against a thread bomb reads it (bootstrap.ts). No Effect here: the worker
 * entry loads this at start.
 */
const IMPORTING = Symbol.for("effect-multiprocessing/importing")

const importing = (): Set<string> => ((globalThis as any)[IMPORTING] ??= new Set<string>())

/** Imports a task module in a worker, recording it while it loads. */
export const importTaskModule = (module: string): Promise<unknown> => {
  const set = importing()
  set.add(module)
  return import(module).finally(() => set.delete(module))
}

/** A module this worker is importing now, if any. */
export const importingNow = (): string | undefined => {
  const set = (globalThis as any)[IMPORTING] as Set<string> | undefined
  return set === undefined || set.size === 0 ? undefined : set.values().next().value
}
