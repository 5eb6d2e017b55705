/**
 * Tasks by `module#name`. Kept on `globalThis` so that a task module and the
 * worker entry agree even if they reached two copies of this library.
 */
import type { Any } from "../Task.ts"

const key = Symbol.for("effect-multiprocessing/registry")

const registry: Map<string, Any> = ((globalThis as any)[key] ??= new Map())

export const register = (task: Any): void => {
  registry.set(task.key, task)
}

export const lookup = (taskKey: string): Any | undefined => registry.get(taskKey)
