/**
 * A condition's waiting room in a SharedArrayBuffer (its lock is a separate
 * Lock or RLock). `notify(n)` turns up to n of the registered waiters into
 * permits; a waiter leaves with a permit. A waiter that gives up (timeout,
 * interruption) leaves its place, or the permit it was given, so that
 * notifications are never lost or doubled.
 */
import { type Cancel, defineKind, live, newId, R_INVALID, R_OK, R_SHUTDOWN, type Reply, type SharedObject } from "./handles.ts"
import { type CancelWait, waitWord } from "./waits.ts"

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

  /** A few instructions under a spin lock (never held across a wait). */
  private critical<R>(f: () => R): R {
    const words = this.words
    while (Atomics.compareExchange(words, I_LOCK, 0, 1) !== 0) {
      // held for a few instructions
    }
    try {
      return f()
    } finally {
      Atomics.store(words, I_LOCK, 0)
    }
  }

  request(op: number, data: unknown, reply: Reply): Cancel | undefined {
    const words = this.words
    if (Atomics.load(words, I_STATE) === 1) {
      reply(R_SHUTDOWN)
      return undefined
    }
    switch (op) {
      case C_REGISTER:
        this.critical(() => words[I_WAITING]++)
        reply(R_OK)
        return undefined
      case C_LEAVE:
        // still counted as waiting: leave the room; already given a permit: hand it back unused
        this.critical(() => {
          if (words[I_WAITING] > 0) words[I_WAITING]--
          else if (words[I_PERMITS] > 0) words[I_PERMITS]--
        })
        reply(R_OK)
        return undefined
      case C_NOTIFY: {
        const n = data as number
        const woken = this.critical(() => {
          const k = n < 0 ? words[I_WAITING] : Math.min(n, words[I_WAITING])
          words[I_WAITING] -= k
          words[I_PERMITS] += k
          return k
        })
        if (woken > 0) {
          Atomics.add(words, I_EPOCH, 1)
          Atomics.notify(words, I_EPOCH)
        }
        reply(R_OK, woken)
        return undefined
      }
      case C_AWAIT:
        return this.await(reply)
      case C_GIVE_BACK:
        this.critical(() => words[I_PERMITS]++)
        Atomics.add(words, I_EPOCH, 1)
        Atomics.notify(words, I_EPOCH)
        reply(R_OK)
        return undefined
      default:
        reply(R_INVALID, `unknown condition request ${op}`)
        return undefined
    }
  }

  private await(reply: Reply): Cancel | undefined {
    const words = this.words
    let cancelWait: CancelWait | undefined
    let done = false
    let cancelled = false
    const attempt = (): void => {
      cancelWait = undefined
      if (cancelled) return
      const seen = Atomics.load(words, I_EPOCH)
      if (Atomics.load(words, I_STATE) === 1) {
        done = true
        return reply(R_SHUTDOWN)
      }
      const got = this.critical(() => {
        if (words[I_PERMITS] === 0) return false
        words[I_PERMITS]--
        return true
      })
      if (got) {
        done = true
        return reply(R_OK)
      }
      cancelWait = waitWord(words, I_EPOCH, seen, words, I_WATCHERS, attempt)
    }
    attempt()
    if (done) return undefined
    return (ack) => {
      cancelled = true
      cancelWait?.()
      ack()
    }
  }

  shutdown(): void {
    Atomics.store(this.words, I_STATE, 1)
    Atomics.add(this.words, I_EPOCH, 1)
    Atomics.notify(this.words, I_EPOCH)
    live.delete(this.id)
  }
}

defineKind("condition", {
  revive: (wire) => new ConditionCore(wire.id, wire.words),
  meta: () => ({}),
  // a permit granted to a withdrawn wait goes back (the waiter then leaves with C_LEAVE)
  undo: (op, status) => op === C_AWAIT && status === R_OK ? [C_GIVE_BACK, undefined] : undefined
})
