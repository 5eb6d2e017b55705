/**
 * Waiting for files another process writes, as events (fs.watch on the
 * directory), not by polling. Plain Effect and Node: task fixtures use it in
 * workers and runners too.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as path from "node:path"

/** Waits until `holds()` is true, checking it at once and at every change in `dir`; the watch ends with the wait. */
export const awaitInDir = (dir: string, holds: () => boolean): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const watcher = fs.watch(dir)
    const check = () => {
      if (!holds()) return
      watcher.close()
      resume(Effect.void)
    }
    watcher.on("change", check)
    check()
    return Effect.sync(() => watcher.close())
  })

/** Waits until `file` exists. */
export const awaitFile = (file: string): Effect.Effect<void> => awaitInDir(path.dirname(file), () => fs.existsSync(file))
