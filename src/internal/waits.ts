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
