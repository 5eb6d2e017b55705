/**
 * The guard against a thread bomb. A worker finds a task by importing its
 * module; if that module is the program itself and its top level makes a
 * pool, every worker would make a pool of its own, without end. So making a
 * pool or starting a process in a worker while it imports a task module, from
 * code that is not a running task, fails at once (Python refuses the same
 * during a child's bootstrap).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { InvalidArgument } from "../errors.ts"
import { dieInWorker, importingNow } from "./importing.ts"

/** Set in the context of every task a worker runs: a pool made there is nested parallelism, not a bomb. */
export const InTask = Context.Reference<boolean>("effect-multiprocessing/InTask", { defaultValue: () => false })

/** Fails if `operation` runs in a worker that is importing a task module, outside any task. */
export const guard = (operation: string): Effect.Effect<void, InvalidArgument> =>
  Effect.suspend(() => {
    const module = importingNow()
    if (module === undefined) return Effect.void
    return Effect.gen(function*() {
      if (yield* InTask) return
      const error = new InvalidArgument({
        reason: `${operation} ran in a worker while it was importing ${module} to find a task: that module's top level ` +
          "starts workers, so every worker would start more of them. Put the program under " +
          "`if (import.meta.main) { ... }` (Node >= 22.18), or move the tasks to a module of their own. " +
          "(Python refuses the same: \"An attempt has been made to start a new process before the current process " +
          "has finished its bootstrapping phase\".)"
      })
      // Said here too: the module's top level may not await the program, and
      // its rejection would go unseen. The worker then dies of it (its tasks
      // fail with WorkerDied carrying the message), whatever the module does.
      process.stderr.write(`effect-multiprocessing: ${error.message}\n`)
      dieInWorker(error)
      return yield* Effect.fail(error)
    })
  })
