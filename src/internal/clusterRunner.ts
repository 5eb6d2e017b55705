/**
 * A runner's side of a cluster pool: finds the task a message names under
 * the runner's root, and hands the message's chunk to the runner's one local
 * Pool. Its worker's encoded outcome goes back unchanged (the runner uses the
 * task without its contract: encoding and decoding happen in the worker and
 * in the client, as with a local pool).
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as v8 from "node:v8"
import type { Pool } from "../Pool.ts"
import { type Any, isTask } from "../Task.ts"
import { encodeCause, encodeReply, resolveKey } from "./cluster.ts"
import { importTaskModule } from "./importing.ts"
import * as P from "./protocol.ts"
import { lookup } from "./registry.ts"
import { encodeError, LibFailure } from "./wire.ts"

/** The runner's view of a task: without its contract (see above). */
const bare = (task: Any): Any => ({ ...task, contract: undefined })

/** Finds tasks by key under a root; a module that failed to load is tried again next time. */
export const makeLoader = (root: string) => {
  const loaded = new Map<string, Promise<Any>>()
  const load = async (key: string): Promise<Any> => {
    const { module, name, url } = resolveKey(root, key)
    let ns: Record<string, unknown>
    try {
      ns = (await importTaskModule(url)) as Record<string, unknown>
    } catch (e) {
      throw new LibFailure("TaskModuleLoadError", {
        module,
        name,
        reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        remoteStack: e instanceof Error ? e.stack : undefined,
        requested: key
      })
    }
    for (const value of Object.values(ns)) {
      if (isTask(value) && value.name === name) return bare(value)
    }
    const registered = lookup(`${url}#${name}`)
    if (registered !== undefined) return bare(registered)
    throw new LibFailure("TaskNotFound", { module, name })
  }
  return (key: string): Promise<Any> => {
    let task = loaded.get(key)
    if (task === undefined) {
      task = load(key)
      loaded.set(key, task)
      task.catch(() => loaded.delete(key))
    }
    return task
  }
}

export interface Request {
  readonly chunk: string
  readonly task: string
  readonly op: "apply" | "map" | "starmap"
  readonly exit: boolean
  readonly data: Uint8Array
}

/** The handler of `Run`: one message, one reply (never a failure of the RPC itself). */
export const makeHandler = (pool: Pool, root: string) => {
  const loader = makeLoader(root)
  return (request: Request): Effect.Effect<Uint8Array> =>
    Effect.gen(function*() {
      const found = yield* Effect.promise(() =>
        loader(request.task).then((task) => ({ task, error: undefined }), (error: unknown) => ({ task: undefined, error }))
      )
      if (found.task === undefined) {
        const e = found.error
        return e instanceof LibFailure
          ? encodeReply(request, P.S_LIB, e.encoded)
          : encodeReply(request, P.S_DIE, encodeError(e))
      }
      const task = found.task
      let input: Array<unknown>
      try {
        input = v8.deserialize(request.data)
      } catch (e) {
        return encodeReply(request, P.S_DIE, encodeError(e))
      }
      if (request.op === "apply") {
        const exit = yield* Effect.exit(pool.apply(task, input))
        return Exit.isSuccess(exit)
          ? encodeReply(request, P.S_OK, exit.value)
          : encodeReply(request, ...encodeCause(exit.cause))
      }
      const run = request.op === "map" ? pool.map : pool.starmap
      if (request.exit) {
        const exits = yield* Effect.exit((run as any)(task, input, { mode: "exit" }) as Effect.Effect<Array<Exit.Exit<unknown, unknown>>, unknown>)
        if (Exit.isFailure(exits)) return encodeReply(request, ...encodeCause(exits.cause))
        const flat: Array<unknown> = []
        for (const exit of exits.value) {
          if (Exit.isSuccess(exit)) flat.push(P.S_OK, exit.value)
          else flat.push(...encodeCause(exit.cause))
        }
        return encodeReply(request, P.S_OK, flat)
      }
      const exit = yield* Effect.exit((run as any)(task, input) as Effect.Effect<Array<unknown>, unknown>)
      return Exit.isSuccess(exit)
        ? encodeReply(request, P.S_OK, exit.value)
        : encodeReply(request, ...encodeCause(exit.cause))
    }) as Effect.Effect<Uint8Array>
}
