/**
 * A counting semaphore in a SharedArrayBuffer: Python's `Semaphore` and
 * `BoundedSemaphore`. Besides the count it keeps, per holder (a thread, or a
 * child's host token), how many permits that holder took, so that the main
 * program can give back the permits of a holder that died: Python leaves them
 * taken and deadlocks every other process. Updates run under a short lock
 * word (never held across a wait); waits spin briefly, then `waitAsync`.
 */
import { type Cancel, defineKind, here, live, newId, R_INVALID, R_OK, R_SHUTDOWN, type Reply, type SharedObject } from "./handles.ts"
import { BUSY, critical, DONE, LATER, retrying, retryOnChange, WAIT } from "./waits.ts"

export const S_TAKE = 0 // data: permits; waits until they are there
export const S_TRY = 1 // data: permits; value: whether they were taken
export const S_RELEASE = 2 // data: permits
export const S_VALUE = 3 // value: permits free now

const I_VALUE = 0
const I_LOCK = 1
const I_STATE = 2 // 0 open, 1 shut down
const I_WAITERS = 3
const I_EPOCH = 4 // bumped by every release (waiters wait on it)
const I_BOUND = 5 // the initial value of a bounded semaphore, else -1
const TABLE = 8 // [token, permits] pairs
const HOLDERS = 64



export class SemaphoreCore implements SharedObject {
  readonly "~emp" = "semaphore"
  readonly id: number
  readonly words: Int32Array

  constructor(id: number, words: Int32Array) {
    this.id = id
    this.words = words
  }

  static make(permits: number, bounded: boolean): SemaphoreCore {
    const words = new Int32Array(new SharedArrayBuffer(4 * (TABLE + 2 * HOLDERS)))
    words[I_VALUE] = permits
    words[I_BOUND] = bounded ? permits : -1
    const semaphore = new SemaphoreCore(newId(), words)
    live.set(semaphore.id, semaphore)
    return semaphore
  }

  /**
   * Runs `f` under the lock word, held for a few instructions. If it stays
   * taken (its holder died inside, and only the main program can free it):
   * BUSY, and the caller retries on a later turn instead of spinning on.
   */
  private critical<R>(f: () => R): R | typeof BUSY {
    return critical(this.words, I_LOCK, here, f)
  }

  /** Adds `n` to `owner`'s permits (negative: gives them back, its own first). */
  private account(owner: number, n: number): void {
    const words = this.words
    if (n > 0) {
      let free = -1
      for (let i = TABLE; i < TABLE + 2 * HOLDERS; i += 2) {
        if (words[i] === owner) {
          words[i + 1] += n
          return
        }
        if (free < 0 && words[i + 1] === 0) free = i
      }
      if (free >= 0) {
        words[free] = owner
        words[free + 1] = n
      }
      return
    }
    let rest = -n
    for (const mine of [true, false]) {
      for (let i = TABLE; i < TABLE + 2 * HOLDERS && rest > 0; i += 2) {
        if ((words[i] === owner) !== mine || words[i + 1] === 0) continue
        const k = Math.min(rest, words[i + 1])
        words[i + 1] -= k
        rest -= k
      }
    }
  }

  private tryTake(owner: number, n: number): boolean | typeof BUSY {
    return this.critical(() => {
      if (this.words[I_VALUE] < n) return false
      this.words[I_VALUE] -= n
      this.account(owner, n)
      return true
    })
  }

  /** Gives `n` permits back (as `owner`'s, unless `unaccounted`). */
  private give(owner: number, n: number, unaccounted = false): boolean | typeof BUSY {
    const words = this.words
    const ok = this.critical(() => {
      const bound = words[I_BOUND]
      if (bound >= 0 && words[I_VALUE] + n > bound) return false
      words[I_VALUE] += n
      if (!unaccounted) this.account(owner, -n)
      return true
    })
    if (ok === true) {
      Atomics.add(words, I_EPOCH, 1)
      if (Atomics.load(words, I_WAITERS) > 0) Atomics.notify(words, I_EPOCH)
    }
    return ok
  }

  request(op: number, data: unknown, reply: Reply, holder?: number): Cancel | undefined {
    const words = this.words
    if (Atomics.load(words, I_STATE) === 1) {
      reply(R_SHUTDOWN)
      return undefined
    }
    const owner = holder ?? here
    const n = data as number
    switch (op) {
      case S_TAKE:
        return this.take(owner, n, reply)
      case S_TRY:
        retrying(() => this.tryTake(owner, n), (taken) => reply(R_OK, taken))
        return undefined
      case S_RELEASE:
        retrying(() => this.give(owner, n), (ok) =>
          ok
            ? reply(R_OK)
            : reply(R_INVALID, `release(${n}) would raise a bounded semaphore above its bound ${words[I_BOUND]}`))
        return undefined
      case S_VALUE:
        reply(R_OK, Atomics.load(words, I_VALUE))
        return undefined
      default:
        reply(R_INVALID, `unknown semaphore request ${op}`)
        return undefined
    }
  }

  private take(owner: number, n: number, reply: Reply): Cancel | undefined {
    const words = this.words
    return retryOnChange(words, I_EPOCH, I_WAITERS, () => {
      if (Atomics.load(words, I_STATE) === 1) {
        reply(R_SHUTDOWN)
        return DONE
      }
      const taken = this.tryTake(owner, n)
      if (taken === BUSY) return LATER
      if (!taken) return WAIT
      reply(R_OK, n)
      return DONE
    })
  }

  /** The holder `token` died: its permits come back, and a lock word it held is freed. */
  releaseOwner(token: number): string | undefined {
    const words = this.words
    Atomics.compareExchange(words, I_LOCK, threadOf(token), 0)
    const collect = () =>
      this.critical(() => {
        let permits = 0
        for (let i = TABLE; i < TABLE + 2 * HOLDERS; i += 2) {
          if (words[i] === token) {
            permits += words[i + 1]
            words[i + 1] = 0
          }
        }
        return permits
      })
    const giveBack = (permits: number) => {
      if (permits > 0) retrying(() => this.give(here, permits, true), () => {})
    }
    // at once when the lock word is free (the usual case), so the permits can be named
    const permits = collect()
    if (permits === BUSY) return void retrying(collect, giveBack)
    giveBack(permits)
    return permits > 0 ? `Semaphore ${this.id} (${permits} permit${permits === 1 ? "" : "s"})` : undefined
  }

  shutdown(): void {
    Atomics.store(this.words, I_STATE, 1)
    Atomics.add(this.words, I_EPOCH, 1)
    Atomics.notify(this.words, I_EPOCH)
    live.delete(this.id)
  }
}

// The lock word holds thread tokens; a child's host token (negative) never holds it.
const threadOf = (token: number): number => token > 0 ? token : -1

defineKind("semaphore", {
  revive: (wire) => new SemaphoreCore(wire.id, wire.words),
  meta: () => ({}),
  // permits granted to a withdrawn request go back
  undo: (op, status, value) => op === S_TAKE && status === R_OK ? [S_RELEASE, value] : undefined
})
