// The cold-start scenarios' task module (4, 4u), as lean as ../../shared/probes' tasks.mjs: the Task module of the
// built package and one function, so that the peers' cold worker files, as lean, load as little.
import * as Task from "effect-multiprocessing/Task"

export const inc = Task.make(import.meta.url, "inc", (x) => x + 1)
