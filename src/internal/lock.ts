/**
 * A lock in a SharedArrayBuffer: one word holding its owner's token (0 when
 * free), a waiter count and a wake counter. The owner is recorded so that
 * the main program can release a lock whose holder died: a worker thread
 * (its thread token) or a child process (its host's token). Waits spin
 * briefly, then `Atomics.waitAsync`: a waiting fiber never blocks a thread.
 */
import * as WorkerThreads from "node:worker_threads"
import {
  type Cancel,
  defineKind,
  live,
  newId,
  R_INVALID,
  R_OK,
  R_SHUTDOWN,
  type Reply,
  type SharedObject,
  threadToken
} from "./handles.ts"
import { type CancelWait, waitWord } from "./waits.ts"

export const L_ACQUIRE = 0 // waits until the lock is ours
export const L_TRY = 1 // value: whether it was free (and is now ours)
export const L_RELEASE = 2
export const L_LOCKED = 3 // value: whether someone holds it

const I_OWNER = 0
const I_WAITERS = 1
const I_STATE = 2 // 0 open, 1 shut down
const SPIN_WAIT = 1000

const here = threadToken(WorkerThreads.threadId)

export class LockCore implements SharedObject {
  readonly "~emp" = "lock"
  readonly id: number
  readonly words: Int32Array

  constructor(id: number, words: Int32Array) {
    this.id = id
    this.words = words
  }

  static make(): LockCore {
    const lock = new LockCore(newId(), new Int32Array(new SharedArrayBuffer(16)))
    live.set(lock.id, lock)
    return lock
  }

  private take(owner: number): boolean {
    return Atomics.compareExchange(this.words, I_OWNER, 0, owner) === 0
  }

  request(op: number, _data: unknown, reply: Reply, holder?: number): Cancel | undefined {
    const words = this.words
    if (Atomics.load(words, I_STATE) === 1) {
      reply(R_SHUTDOWN)
      return undefined
    }
    const owner = holder ?? here
    switch (op) {
      case L_ACQUIRE:
        return this.acquire(owner, reply)
      case L_TRY:
        reply(R_OK, this.take(owner))
        return undefined
      case L_RELEASE: {
        // Python: any process may release a Lock; releasing a free one is an error
        if (Atomics.exchange(words, I_OWNER, 0) === 0) {
          reply(R_INVALID, "release() of a lock that is not held")
          return undefined
        }
        if (Atomics.load(words, I_WAITERS) > 0) Atomics.notify(words, I_OWNER, 1)
        reply(R_OK)
        return undefined
      }
      case L_LOCKED:
        reply(R_OK, Atomics.load(words, I_OWNER) !== 0)
        return undefined
      default:
        reply(R_INVALID, `unknown lock request ${op}`)
        return undefined
    }
  }

  private acquire(owner: number, reply: Reply): Cancel | undefined {
    const words = this.words
    let cancelWait: CancelWait | undefined
    let done = false
    let cancelled = false
    const attempt = (): void => {
      cancelWait = undefined
      if (cancelled) return
      for (let k = 0; k < SPIN_WAIT; k++) {
        if (Atomics.load(words, I_STATE) === 1) {
          done = true
          return reply(R_SHUTDOWN)
        }
        if (this.take(owner)) {
          done = true
          return reply(R_OK)
        }
      }
      const current = Atomics.load(words, I_OWNER)
      if (current === 0) return queueMicrotask(attempt)
      cancelWait = waitWord(words, I_OWNER, current, words, I_WAITERS, attempt)
    }
    attempt()
    if (done) return undefined
    return (ack) => {
      cancelled = true
      cancelWait?.()
      ack()
    }
  }

  /** The holder `token` died: free the lock if it held it. */
  releaseOwner(token: number): void {
    if (Atomics.compareExchange(this.words, I_OWNER, token, 0) === token) Atomics.notify(this.words, I_OWNER)
  }

  /** Every waiter and every later call fails; the main program forgets the lock. */
  shutdown(): void {
    Atomics.store(this.words, I_STATE, 1)
    Atomics.notify(this.words, I_OWNER)
    live.delete(this.id)
  }
}

defineKind("lock", {
  revive: (wire) => new LockCore(wire.id, wire.words),
  meta: () => ({}),
  // an acquisition withdrawn too late is released again
  undo: (op, status) => op === L_ACQUIRE && status === R_OK ? [L_RELEASE, undefined] : undefined
})
