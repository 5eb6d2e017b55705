/**
 * A barrier in a SharedArrayBuffer: Python's `multiprocessing.Barrier`.
 * Parties arrive (each gets its arrival index); the last one completes the
 * round: the generation word moves on and every waiter of the round resumes.
 * A round's outcome (passed, or broken) is kept in a small ring indexed by
 * generation, so a waiter that wakes late still learns how its round ended.
 *
 * With an action, the last arrival hands the round to the main program,
 * which runs the action (an Effect cannot cross to a worker) and then
 * completes it, or breaks it if the action failed.
 *
 * A waiter that leaves early (a timeout, an interruption, its worker's
 * death) breaks the round, as Python's timeout does: the others would
 * otherwise wait for a party that is not coming.
 */
import { type Cancel, defineKind, here, live, newId, R_BROKEN, R_INVALID, R_OK, R_SHUTDOWN, type Reply, type SharedObject } from "./handles.ts"
import { BUSY, critical, DONE, LATER, retrying, retryOnChange, WAIT } from "./waits.ts"

export const B_WAIT = 0 // value: the arrival index, or R_BROKEN (value: why)
export const B_ABORT = 1
export const B_RESET = 2
export const B_STATE = 3 // value: [waiting, broken]
export const B_AWAIT_ACTION = 4 // the main program: waits until a round needs its action
export const B_FINISH = 5 // the main program, after the action; data: why it failed, or undefined

const I_LOCK = 0
const I_GEN = 1 // the round; waiters wait for it to move on
const I_COUNT = 2 // parties arrived in this round
const I_STATE = 3
const I_WAITERS = 4
const I_ACTION = 5 // 1 while the main program has a round's action to run
const I_ACTION_WAITERS = 6
const OUTCOMES = 8 // the outcome of round g at OUTCOMES + (g & 15)
const RING = 16
const SLOTS = OUTCOMES + RING // tokens of this round's waiters (to break it if one dies)
const HOLDERS = 64

const FILLING = 0
const ACTING = 1 // the action runs; new arrivals wait for the next round
const BROKEN = 2
const SHUT = 3

const PASSED = 1
const BROKE = 2
const ACTION_FAILED = 3

export class BarrierCore implements SharedObject {
  readonly "~emp" = "barrier"
  readonly id: number
  readonly words: Int32Array
  readonly parties: number
  readonly action: boolean
  /** The default timeout of a wait, in milliseconds. */
  readonly timeout: number | undefined

  constructor(id: number, words: Int32Array, parties: number, action: boolean, timeout: number | undefined) {
    this.id = id
    this.words = words
    this.parties = parties
    this.action = action
    this.timeout = timeout
  }

  static make(parties: number, action: boolean, timeout: number | undefined): BarrierCore {
    const words = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + HOLDERS)))
    const barrier = new BarrierCore(newId(), words, parties, action, timeout)
    live.set(barrier.id, barrier)
    return barrier
  }

  private critical<R>(f: () => R): R | typeof BUSY {
    return critical(this.words, I_LOCK, here, f)
  }

  /** Ends round `gen` (under the lock word): every waiter of it resumes with `outcome`. */
  private end(gen: number, outcome: number): void {
    const words = this.words
    words[OUTCOMES + (gen & (RING - 1))] = outcome
    words[I_COUNT] = 0
    words.fill(0, SLOTS, SLOTS + HOLDERS)
    Atomics.store(words, I_GEN, gen + 1)
    Atomics.notify(words, I_GEN)
  }

  /** Breaks the current round (under the lock word), unless round `gen` is over already. */
  private breakRound(outcome: number, gen = this.words[I_GEN]): void {
    const words = this.words
    if (words[I_GEN] !== gen || words[I_STATE] === SHUT) return
    words[I_STATE] = BROKEN
    Atomics.store(words, I_ACTION, 0)
    this.end(gen, outcome)
  }

  request(op: number, data: unknown, reply: Reply, holder?: number): Cancel | undefined {
    const words = this.words
    if (Atomics.load(words, I_STATE) === SHUT) {
      reply(R_SHUTDOWN)
      return undefined
    }
    switch (op) {
      case B_WAIT:
        return this.wait(holder ?? here, reply)
      case B_ABORT:
        retrying(() => this.critical(() => this.breakRound(BROKE)), () => reply(R_OK))
        return undefined
      case B_RESET:
        retrying(() =>
          this.critical(() => {
            // the waiters of the round fail, as in Python; later ones start afresh
            if (words[I_COUNT] > 0 || words[I_STATE] === ACTING) this.breakRound(BROKE)
            words[I_STATE] = FILLING
          }), () => reply(R_OK))
        return undefined
      case B_STATE:
        reply(R_OK, [Atomics.load(words, I_COUNT), Atomics.load(words, I_STATE) === BROKEN])
        return undefined
      case B_AWAIT_ACTION:
        return retryOnChange(words, I_ACTION, I_ACTION_WAITERS, () => {
          if (Atomics.load(words, I_STATE) === SHUT) {
            reply(R_SHUTDOWN)
            return DONE
          }
          if (Atomics.load(words, I_ACTION) !== 1) return WAIT
          reply(R_OK)
          return DONE
        })
      case B_FINISH:
        retrying(() =>
          this.critical(() => {
            if (words[I_STATE] !== ACTING) return
            Atomics.store(words, I_ACTION, 0)
            if (data === undefined) {
              words[I_STATE] = FILLING
              this.end(words[I_GEN], PASSED)
            } else this.breakRound(ACTION_FAILED)
          }), () => reply(R_OK))
        return undefined
      default:
        reply(R_INVALID, `unknown barrier request ${op}`)
        return undefined
    }
  }

  private wait(owner: number, reply: Reply): Cancel | undefined {
    const words = this.words
    let gen = -1
    let index = -1
    const cancel = retryOnChange(words, I_GEN, I_WAITERS, () => {
      const state = Atomics.load(words, I_STATE)
      if (state === SHUT) {
        reply(R_SHUTDOWN)
        return DONE
      }
      if (index >= 0) {
        if (Atomics.load(words, I_GEN) === gen) return WAIT
        const outcome = words[OUTCOMES + (gen & (RING - 1))]
        if (outcome === PASSED) reply(R_OK, index)
        else reply(R_BROKEN, outcome === ACTION_FAILED ? "the barrier's action failed" : "the barrier was broken")
        return DONE
      }
      const arrived = this.critical(() => {
        const s = words[I_STATE]
        if (s === BROKEN) return BROKEN
        if (s === ACTING) return ACTING // the last round's action runs: wait for the next round
        gen = words[I_GEN]
        index = words[I_COUNT]++
        for (let i = SLOTS; i < SLOTS + HOLDERS; i++) {
          if (words[i] === 0) {
            words[i] = owner
            break
          }
        }
        if (words[I_COUNT] < this.parties) return FILLING
        if (this.action) {
          words[I_STATE] = ACTING
          Atomics.store(words, I_ACTION, 1)
          Atomics.notify(words, I_ACTION)
        } else this.end(gen, PASSED)
        return FILLING
      })
      if (arrived === BUSY) return LATER
      if (arrived === BROKEN) {
        reply(R_BROKEN, "the barrier is broken (reset it to use it again)")
        return DONE
      }
      if (arrived === ACTING) return WAIT
      if (Atomics.load(words, I_GEN) !== gen) {
        reply(R_OK, index)
        return DONE
      }
      return WAIT
    })
    if (cancel === undefined) return undefined
    return (ack) =>
      cancel(() => {
        // leaving the round early breaks it (if it is still on)
        if (index < 0) return ack()
        retrying(() => this.critical(() => this.breakRound(BROKE, gen)), ack)
      })
  }

  /** A holder died: a round it was waiting in is broken, and the lock word it held is freed. */
  releaseOwner(token: number): string | undefined {
    const words = this.words
    if (token > 0) Atomics.compareExchange(words, I_LOCK, token, 0)
    const broke = () =>
      this.critical(() => {
        for (let i = SLOTS; i < SLOTS + HOLDERS; i++) {
          if (words[i] === token) {
            this.breakRound(BROKE)
            return true
          }
        }
        return false
      })
    const now = broke()
    if (now === BUSY) return void retrying(broke, () => {})
    return now ? `Barrier ${this.id} (its round broken)` : undefined
  }

  shutdown(): void {
    const words = this.words
    Atomics.store(words, I_STATE, SHUT)
    Atomics.add(words, I_GEN, 1)
    Atomics.notify(words, I_GEN)
    Atomics.add(words, I_ACTION, 1)
    Atomics.notify(words, I_ACTION)
    live.delete(this.id)
  }
}

defineKind("barrier", {
  revive: (wire) => new BarrierCore(wire.id, wire.words, wire.parties, wire.action, wire.timeout),
  meta: (barrier: BarrierCore) => ({ parties: barrier.parties, action: barrier.action, timeout: barrier.timeout }),
  undo: () => undefined
})
