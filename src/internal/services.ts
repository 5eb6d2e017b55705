/**
 * A task's declared services, as they arrive in a worker (`[key, value, ...]`),
 * added to the context its handler runs in. Context is passed in: the worker
 * entry loads it lazily.
 */
import type * as ContextModule from "effect/Context"

export const withServices = <R>(
  Context: typeof ContextModule,
  base: ContextModule.Context<R>,
  services: ReadonlyArray<unknown>
): ContextModule.Context<R> => {
  let context: ContextModule.Context<any> = base
  for (let i = 0; i < services.length; i += 2) {
    context = Context.addUnsafe(context, services[i] as string, services[i + 1])
  }
  return context
}
