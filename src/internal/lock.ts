/**
 * A lock in a SharedArrayBuffer: Python's `Lock` and, re-entrant, its `RLock`.
 * One word holds its owner's token (0 when free); a re-entrant lock also
 * records the owning fiber and how many times it acquired. The owner is recorded so that
 * the main program can release a lock whose holder died: a worker thread
 * (its thread token) or a child process (its host's token). Waits spin
 * briefly, then `Atomics.waitAsync`: a waiting fiber never blocks a thread.
 */
import {
  type Cancel,
  defineKind,
  here,
  live,
  newId,
  R_INVALID,
  R_OK,
  R_SHUTDOWN,
  type Reply,
  type SharedObject
} from "./handles.ts"
import { DONE, retryOnChange, WAIT } from "./waits.ts"

// data of each request: the calling fiber's id (what owns a re-entrant lock)
export const L_ACQUIRE = 0 // waits until the lock is ours; value: the fiber id
export const L_TRY = 1 // value: whether it was free (and is now ours)
export const L_RELEASE = 2
export const L_LOCKED = 3 // value: whether someone holds it
export const L_OWNED = 4 // value: whether the caller holds it (a plain Lock: whether anyone does, as Python's Condition checks)
export const L_RELEASE_ALL = 5 // releases every level the caller holds; value: how many (a Condition's wait)
export const L_RESTORE = 6 // data: [fiber, levels]; waits for the lock, then holds it that many levels

/** Polls of a held lock before the wait machinery (about a microsecond): see `spinTake`. */
export const SPIN = 64

const I_OWNER = 0
const I_WAITERS = 1
const I_STATE = 2 // 0 open, 1 shut down
const I_FIBER = 3 // re-entrant: the owning fiber (with I_OWNER, its thread or child)
const I_COUNT = 4 // re-entrant: how many times the owner acquired

export class LockCore implements SharedObject {
  readonly "~emp" = "lock"
  readonly id: number
  readonly words: Int32Array
  /** An RLock: re-entrant for its owning fiber, released only by it. */
  readonly reentrant: boolean

  constructor(id: number, words: Int32Array, reentrant: boolean) {
    this.id = id
    this.words = words
    this.reentrant = reentrant
  }

  static make(reentrant: boolean): LockCore {
    const lock = new LockCore(newId(), new Int32Array(new SharedArrayBuffer(32)), reentrant)
    live.set(lock.id, lock)
    return lock
  }

  /** Takes the lock for (owner, fiber), or again if they hold it already (re-entrant). */
  private take(owner: number, fiber: number): boolean {
    const words = this.words
    if (this.reentrant && Atomics.load(words, I_OWNER) === owner && words[I_FIBER] === fiber) {
      words[I_COUNT]++
      return true
    }
    if (Atomics.compareExchange(words, I_OWNER, 0, owner) !== 0) return false
    // no other fiber of this thread (or child) runs before these two stores
    words[I_FIBER] = fiber
    words[I_COUNT] = 1
    return true
  }

  request(op: number, data: unknown, reply: Reply, holder?: number): Cancel | undefined {
    const words = this.words
    if (Atomics.load(words, I_STATE) === 1) {
      reply(R_SHUTDOWN)
      return undefined
    }
    const owner = holder ?? here
    const fiber = data as number
    switch (op) {
      case L_ACQUIRE:
        return this.acquire(owner, fiber, reply)
      case L_TRY:
        reply(R_OK, this.take(owner, fiber))
        return undefined
      case L_RELEASE: {
        const refused = this.release(owner, fiber)
        if (refused === undefined) reply(R_OK)
        else reply(R_INVALID, refused)
        return undefined
      }
      case L_LOCKED:
        reply(R_OK, Atomics.load(words, I_OWNER) !== 0)
        return undefined
      case L_OWNED:
        reply(R_OK, this.owned(owner, fiber))
        return undefined
      case L_RELEASE_ALL: {
        if (!this.owned(owner, fiber)) {
          reply(R_INVALID, "the lock is not held by the caller")
          return undefined
        }
        const levels = this.reentrant ? words[I_COUNT] : 1
        words[I_FIBER] = 0
        words[I_COUNT] = 0
        Atomics.store(words, I_OWNER, 0)
        if (Atomics.load(words, I_WAITERS) > 0) Atomics.notify(words, I_OWNER, 1)
        reply(R_OK, levels)
        return undefined
      }
      case L_RESTORE: {
        const [who, levels] = data as readonly [number, number]
        return this.acquire(owner, who, (status, value) => {
          if (status === R_OK && this.reentrant) words[I_COUNT] = levels
          reply(status, value)
        })
      }
      default:
        reply(R_INVALID, `unknown lock request ${op}`)
        return undefined
    }
  }

  private owned(owner: number, fiber: number): boolean {
    const current = Atomics.load(this.words, I_OWNER)
    return this.reentrant ? current === owner && this.words[I_FIBER] === fiber : current !== 0
  }

  /**
   * Takes the lock for `fiber` of this thread if it is free (or, re-entrant,
   * its own), without waiting: the path of a `Lock.acquire` that finds it free.
   */
  takeHere(fiber: number): boolean {
    return Atomics.load(this.words, I_STATE) !== 1 && this.take(here, fiber)
  }

  /**
   * `takeHere`, polling the lock word up to `polls` times while another
   * holds it: a critical section of a few instructions (a counter's update)
   * ends within them, and taking the lock here costs far less than a wait.
   */
  spinTake(fiber: number, polls: number): boolean {
    if (this.takeHere(fiber)) return true
    const words = this.words
    for (let k = 0; k < polls; k++) {
      if (Atomics.load(words, I_OWNER) === 0 && this.takeHere(fiber)) return true
    }
    return false
  }

  /**
   * Releases the lock; why not, if it cannot. Python: any process may release
   * a Lock, and releasing a free one is an error; an RLock is released only
   * by its owning fiber, once per acquire.
   */
  release(owner: number, fiber: number): string | undefined {
    const words = this.words
    if (!this.reentrant) {
      if (Atomics.exchange(words, I_OWNER, 0) === 0) return "release() of a lock that is not held"
    } else {
      const current = Atomics.load(words, I_OWNER)
      if (current === 0) return "release() of an RLock that is not held"
      if (current !== owner || words[I_FIBER] !== fiber) return "release() of an RLock by a fiber that does not own it"
      if (--words[I_COUNT] !== 0) return undefined
      words[I_FIBER] = 0
      Atomics.store(words, I_OWNER, 0)
    }
    if (Atomics.load(words, I_WAITERS) > 0) Atomics.notify(words, I_OWNER, 1)
    return undefined
  }

  get closed(): boolean {
    return Atomics.load(this.words, I_STATE) === 1
  }

  private acquire(owner: number, fiber: number, reply: Reply): Cancel | undefined {
    const words = this.words
    return retryOnChange(words, I_OWNER, I_WAITERS, () => {
      if (Atomics.load(words, I_STATE) === 1) {
        reply(R_SHUTDOWN)
        return DONE
      }
      if (!this.take(owner, fiber)) return WAIT
      reply(R_OK, fiber)
      return DONE
    })
  }

  /** The holder `token` died: free the lock if it held it. */
  releaseOwner(token: number): string | undefined {
    if (Atomics.compareExchange(this.words, I_OWNER, token, 0) !== token) return undefined
    Atomics.notify(this.words, I_OWNER)
    return `${this.reentrant ? "RLock" : "Lock"} ${this.id}`
  }

  /** Every waiter and every later call fails; the main program forgets the lock. */
  shutdown(): void {
    Atomics.store(this.words, I_STATE, 1)
    Atomics.notify(this.words, I_OWNER)
    live.delete(this.id)
  }
}

defineKind("lock", {
  revive: (wire) => new LockCore(wire.id, wire.words, wire.reentrant),
  meta: (lock: LockCore) => ({ reentrant: lock.reentrant }),
  // an acquisition withdrawn too late is released again (by the same fiber)
  undo: (op, status, value) =>
    status !== R_OK ? undefined : op === L_ACQUIRE ? [L_RELEASE, value] : op === L_RESTORE ? [L_RELEASE_ALL, value] : undefined
})
