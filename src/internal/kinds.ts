/**
 * Every kind of shared object, so that a worker can revive any of them
 * before the task that receives it has imported its public module.
 */
import "./ring.ts"
import "./pipe.ts"
import "./lock.ts"
import "./event.ts"
import "./semaphore.ts"
import "./condition.ts"
import "./memory.ts"
import "./refcell.ts"
import "./barrier.ts"
import "./managed.ts"
