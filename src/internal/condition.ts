/**
 * A condition's waiting room in a SharedArrayBuffer (its lock is a separate
 * Lock or RLock). `notify(n)` turns up to n of the registered waiters into
 * permits; a waiter leaves with a permit. A waiter that gives up (timeout,
 * interruption) leaves its place, or the permit it was given, so that
 * notifications are never lost or doubled.
 */
import { type Cancel, defineKind, here, live, newId, R_INVALID, R_OK, R_SHUTDOWN, type Reply, type SharedObject } from "./handles.ts"
import { BUSY, critical, DONE, LATER, retrying, retryOnChange, WAIT } from "./waits.ts"

export const C_REGISTER = 0 // the caller will wait (before it releases the lock)
export const C_AWAIT = 1 // waits for a permit
export const C_LEAVE = 2 // a registered waiter gives up
export const C_NOTIFY = 3 // data: how many (-1: all); value: how many were woken
export const C_GIVE_BACK = 4 // a permit taken by a wait that was withdrawn too late

const I_WAITING = 0
const I_PERMITS = 1
const I_EPOCH = 2
const I_WATCHERS = 3
const I_STATE = 4
const I_LOCK = 5

export class ConditionCore implements SharedObject {
  readonly "~emp" = "condition"
  readonly id: number
  readonly words: Int32Array

  constructor(id: number, words: Int32Array) {
    this.id = id
    this.words = words
  }

  static make(): ConditionCore {
    const condition = new ConditionCore(newId(), new Int32Array(new SharedArrayBuffer(32)))
    live.set(condition.id, condition)
    return condition
  }

  /** A few instructions under the short lock word (BUSY if its holder died inside: retried later). */
  private critical<R>(f: () => R): R | typeof BUSY {
    return critical(this.words, I_LOCK, here, f)
  }

  request(op: number, data: unknown, reply: Reply): Cancel | undefined {
    const words = this.words
    if (Atomics.load(words, I_STATE) === 1) {
      reply(R_SHUTDOWN)
      return undefined
    }
    switch (op) {
      case C_REGISTER:
        retrying(() => this.critical(() => words[I_WAITING]++), () => reply(R_OK))
        return undefined
      case C_LEAVE:
        // still counted as waiting: leave the room; already given a permit: hand it back unused
        retrying(() =>
          this.critical(() => {
            if (words[I_WAITING] > 0) words[I_WAITING]--
            else if (words[I_PERMITS] > 0) words[I_PERMITS]--
          }), () => reply(R_OK))
        return undefined
      case C_NOTIFY: {
        const n = data as number
        retrying(() =>
          this.critical(() => {
            const k = n < 0 ? words[I_WAITING] : Math.min(n, words[I_WAITING])
            words[I_WAITING] -= k
            words[I_PERMITS] += k
            return k
          }), (woken) => {
          if (woken > 0) this.wake()
          reply(R_OK, woken)
        })
        return undefined
      }
      case C_AWAIT:
        return this.await(reply)
      case C_GIVE_BACK:
        retrying(() => this.critical(() => words[I_PERMITS]++), () => {
          this.wake()
          reply(R_OK)
        })
        return undefined
      default:
        reply(R_INVALID, `unknown condition request ${op}`)
        return undefined
    }
  }

  private await(reply: Reply): Cancel | undefined {
    const words = this.words
    return retryOnChange(words, I_EPOCH, I_WATCHERS, () => {
      if (Atomics.load(words, I_STATE) === 1) {
        reply(R_SHUTDOWN)
        return DONE
      }
      const got = this.critical(() => {
        if (words[I_PERMITS] === 0) return false
        words[I_PERMITS]--
        return true
      })
      if (got === BUSY) return LATER
      if (!got) return WAIT
      reply(R_OK)
      return DONE
    })
  }

  private wake(): void {
    Atomics.add(this.words, I_EPOCH, 1)
    Atomics.notify(this.words, I_EPOCH)
  }

  /** A thread died inside the short lock word: free it. */
  releaseOwner(token: number): void {
    Atomics.compareExchange(this.words, I_LOCK, token, 0)
  }

  shutdown(): void {
    Atomics.store(this.words, I_STATE, 1)
    this.wake()
    live.delete(this.id)
  }
}

defineKind("condition", {
  revive: (wire) => new ConditionCore(wire.id, wire.words),
  meta: () => ({}),
  // a permit granted to a withdrawn wait goes back (the waiter then leaves with C_LEAVE)
  undo: (op, status) => op === C_AWAIT && status === R_OK ? [C_GIVE_BACK, undefined] : undefined
})
