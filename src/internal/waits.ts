/**
 * Waiting on shared memory without blocking a thread: `Atomics.waitAsync`,
 * plus the two things it lacks. A pending waitAsync does not keep Node alive
 * (nodejs/node#44729): while any wait is pending a ref'd timer does. And it
 * cannot be withdrawn: a cancelled wait is woken by a notify on its word (the
 * other waiters there wake spuriously, re-check, and wait again).
 */

let pending = 0
let keepAlive: ReturnType<typeof setInterval> | undefined

const hold = () => {
  if (pending++ === 0) keepAlive = setInterval(() => {}, 1 << 30)
}

const unhold = () => {
  if (--pending === 0 && keepAlive !== undefined) {
    clearInterval(keepAlive)
    keepAlive = undefined
  }
}

/** Withdraws a wait; its callback is not called. */
export type CancelWait = () => void

/**
 * Calls `wake` once `array[index]` may no longer hold `value` (at once if it
 * already does not). Waiters counted at `counter` (an Int32 index) let the
 * notifier skip `Atomics.notify` when nobody waits.
 */
export const waitWord = (
  array: Int32Array | BigInt64Array,
  index: number,
  value: number | bigint,
  counters: Int32Array,
  counter: number,
  wake: () => void
): CancelWait => {
  Atomics.add(counters, counter, 1)
  const result = (Atomics.waitAsync as any)(array, index, value) as
    | { async: false; value: string }
    | { async: true; value: Promise<string> }
  if (!result.async) {
    Atomics.sub(counters, counter, 1)
    queueMicrotask(wake)
    return () => {}
  }
  let cancelled = false
  hold()
  result.value.then(() => {
    Atomics.sub(counters, counter, 1)
    unhold()
    if (!cancelled) wake()
  })
  return () => {
    if (cancelled) return
    cancelled = true
    Atomics.notify(array as any, index)
  }
}

/** What an attempt of `retryOnChange` says: done (it has replied), try again later, or wait for the word. */
export const DONE = 0
export const WAIT = 1
export const LATER = 2 // a short lock word stayed taken: try again on a later turn (see `critical`)

/** Polls of the word before a wait: a change usually comes within microseconds, and a waitAsync wake-up costs more. */
const SPIN_WAIT = 1000

/**
 * Calls `attempt` until it is DONE, waiting in between for `words[word]` to
 * change from what it was just before the attempt: a short spin, then
 * `waitAsync` (counted at `waiters`). Returns the canceller, or undefined if
 * the first attempt was DONE. A cancelled retry makes no further attempt.
 */
export const retryOnChange = (
  words: Int32Array,
  word: number,
  waiters: number,
  attempt: () => typeof DONE | typeof WAIT | typeof LATER
): ((ack: () => void) => void) | undefined => {
  let cancelWait: CancelWait | undefined
  let cancelled = false
  let done = false
  const loop = (): void => {
    cancelWait = undefined
    while (!cancelled) {
      const seen = Atomics.load(words, word)
      const r = attempt()
      if (r === DONE) {
        done = true
        return
      }
      if (r === LATER) return void setImmediate(loop)
      let k = 0
      while (k < SPIN_WAIT && Atomics.load(words, word) === seen) k++
      if (k === SPIN_WAIT) {
        cancelWait = waitWord(words, word, seen, words, waiters, loop)
        return
      }
    }
  }
  loop()
  if (done) return undefined
  return (ack) => {
    cancelled = true
    cancelWait?.()
    cancelWait = undefined
    ack()
  }
}

/**
 * Runs `f` under the lock word `words[index]`, held for a few instructions
 * and recording `token`. If it stays taken (its holder died inside it, and
 * only the main program can free it): LATER, and the caller retries on a
 * later turn instead of spinning on.
 */
export const critical = <R>(words: Int32Array, index: number, token: number, f: () => R): R | typeof BUSY => {
  let spins = 0
  while (Atomics.compareExchange(words, index, 0, token) !== 0) {
    if (++spins > 100_000) return BUSY
  }
  try {
    return f()
  } finally {
    Atomics.store(words, index, 0)
  }
}

export const BUSY: unique symbol = Symbol("busy")

/** Calls `f` until it is not BUSY, a turn apart, then `done` with its result. */
export const retrying = <R>(f: () => R | typeof BUSY, done: (r: R) => void): void => {
  const r = f()
  if (r === BUSY) setImmediate(() => retrying(f, done))
  else done(r)
}
