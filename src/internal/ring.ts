/**
 * A multi-producer, multi-consumer queue of byte records in one growable
 * SharedArrayBuffer: the engine of `Queue` and `Pipe`. The main program and
 * every worker thread operate on it directly, under a lock word that records
 * its owner; nothing goes through the main thread.
 *
 * A thread may be terminated at any instruction, so no state is ever half
 * written: records are written past the tail first and published by one
 * 64-bit store of (tail, pushes); a take publishes (head, pops) the same way.
 * Item count is pushes - pops, unfinished items (JoinableQueue) pushes -
 * done. A dead owner's lock is released by the main program (`releaseOwner`),
 * and the state it leaves is the state before its critical section.
 *
 * Waits are `Atomics.waitAsync` on the word that changes (tail for "not
 * empty", head for "not full"): a waiting task is a callback, never a blocked
 * thread.
 */
import { textBytes, textRoom, unpackAt, Unpacked, writeText } from "./codec.ts"
import { type Cancel, defineKind, here, live, newId, R_ENDED, R_INVALID, R_OK, R_SHUTDOWN, type Reply, type SharedObject, stateChanged } from "./handles.ts"
import { type CancelWait, waitWord } from "./waits.ts"

// Requests.
export const Q_OFFER = 0 // data: bytes; waits while full
export const Q_TRY_OFFER = 1 // data: bytes; value: whether it was enqueued
export const Q_OFFER_ALL = 2 // data: array of bytes; waits for room for each
export const Q_TAKE = 3 // value: bytes; waits while empty
export const Q_POLL = 4 // value: bytes or undefined
export const Q_SIZE = 5 // value: number
export const Q_END = 6
export const Q_SHUTDOWN = 7
export const Q_TASK_DONE = 8
export const Q_JOIN = 9 // waits until every offered item is done
export const Q_PUT_BACK = 10 // data: bytes, returned to the front (an undone remote take)
export const Q_TAKE_MANY = 12 // data: [most items, items used since the last batch]; value: 1 to that many records; waits while empty
export const Q_PUT_BACK_MANY = 13 // data: records, returned to the front in order (a child's unused batch)
export const Q_AWAIT = 11 // waits until an item is there (value true) or the queue ended (false); data false: no wait
// Q_TAKE and Q_OFFER on this thread's own view of the memory (never sent to a host): a take's value may be an
// Unpacked item (codec.ts), read where it lay, and an offer's data an Unpacked text, written where it will lie
export const Q_TAKE_HERE = 14
export const Q_OFFER_HERE = 15

// 64-bit words (BigInt64 indexes) and 32-bit fields (Int32 indexes) of the header.
const W_TAIL = 0 // (tail position, pushes)
const W_HEAD = 1 // (head position, pops)
const I_TAIL = 0
const I_PUSHES = 1
const I_HEAD = 2
const I_POPS = 3
const I_LOCK = 4 // owner token (thread id + 1), 0 when free
const I_STATE = 5 // OPEN, ENDED, SHUTDOWN
const I_CAP = 6 // bytes of the data area (a power of two)
const I_DONE = 7 // task_done calls
const I_WAIT_NOT_EMPTY = 8
const I_WAIT_NOT_FULL = 9
const I_WAIT_LOCK = 10
const I_WAIT_DONE = 11
// Wake counters: bumped by every change a waiter may wait for (including the
// end or shutdown of the queue, which moves no position).
const I_PUSHED = 12 // an item arrived, or the state changed
const I_POPPED = 13 // an item left, or the state changed
const I_DONE_CHANGED = 14 // a taskDone, or the state changed
const HEADER = 64

const OPEN = 0
const ENDED = 1
const SHUTDOWN = 2

const INITIAL_BYTES = 1 << 16
const MAX_BYTES = 1 << 28
const SPINS = 100
// Polls of a wake counter before a wait (~5 µs): see `retry`.
const SPIN_WAIT = 1000

const WITHDRAWN = -2
const pack = (position: number, count: number): bigint => (BigInt(count >>> 0) << 32n) | BigInt(position >>> 0)
/** The bytes a record of `length` takes in the ring: its length word, then itself, padded to 4. */
const span = (length: number): number => 4 + ((length + 3) & ~3)

const views = Symbol("views")
interface Views {
  readonly i32: Int32Array
  readonly w64: BigInt64Array
  readonly bytes: Uint8Array
  readonly words: Uint32Array
  /** The records as a Buffer (its text reader), made again when the buffer has grown past it. */
  text: Buffer | undefined
}

export class QueueCore implements SharedObject {
  readonly "~emp" = "queue"
  readonly id: number
  readonly sab: SharedArrayBuffer
  /** Most items held at once (Python's maxsize); 0: unbounded. */
  readonly capacity: number
  readonly joinable: boolean
  declare readonly [views]: Views

  constructor(id: number, sab: SharedArrayBuffer, capacity: number, joinable: boolean) {
    this.id = id
    this.sab = sab
    this.capacity = capacity
    this.joinable = joinable
    // Under a symbol: structured clone sends only the fields above.
    Object.defineProperty(this, views, {
      value: {
        i32: new Int32Array(sab, 0, HEADER / 4),
        w64: new BigInt64Array(sab, 0, 2),
        bytes: new Uint8Array(sab, HEADER),
        words: new Uint32Array(sab, HEADER),
        text: undefined
      }
    })
  }

  static make(capacity: number, joinable: boolean): QueueCore {
    const sab = new (SharedArrayBuffer as any)(HEADER + INITIAL_BYTES, {
      maxByteLength: HEADER + MAX_BYTES
    }) as SharedArrayBuffer
    const core = new QueueCore(newId(), sab, capacity, joinable)
    core[views].i32[I_CAP] = INITIAL_BYTES
    live.set(core.id, core)
    return core
  }

  // -- the lock -------------------------------------------------------------------

  private tryLock(): boolean {
    const i32 = this[views].i32
    for (let i = 0; i < SPINS; i++) {
      if (Atomics.compareExchange(i32, I_LOCK, 0, here) === 0) return true
    }
    return false
  }

  private unlock(): void {
    const i32 = this[views].i32
    Atomics.store(i32, I_LOCK, 0)
    if (Atomics.load(i32, I_WAIT_LOCK) > 0) Atomics.notify(i32, I_LOCK)
  }

  /** Runs `critical` under the lock (waiting for it without blocking), then `after` with its result. */
  private locked<R>(critical: () => R, after: (r: R) => void): void {
    if (this.tryLock()) {
      let r: R
      try {
        r = critical()
      } finally {
        this.unlock()
      }
      return after(r)
    }
    const i32 = this[views].i32
    const owner = Atomics.load(i32, I_LOCK)
    if (owner === 0) return queueMicrotask(() => this.locked(critical, after))
    waitWord(i32, I_LOCK, owner, i32, I_WAIT_LOCK, () => this.locked(critical, after))
  }

  /** The main program saw the thread holding `owner` die: free its lock. */
  releaseOwner(owner: number): void {
    const i32 = this[views].i32
    if (Atomics.compareExchange(i32, I_LOCK, owner, 0) === owner) Atomics.notify(i32, I_LOCK)
  }

  // -- records (under the lock) ------------------------------------------------------

  private count(): number {
    const i32 = this[views].i32
    return (i32[I_PUSHES] - i32[I_POPS]) >>> 0
  }

  private state(): number {
    return Atomics.load(this[views].i32, I_STATE)
  }

  /** Room for a record of `need` bytes, growing the buffer if it must. */
  private room(need: number): boolean {
    const { i32, bytes } = this[views]
    const cap = i32[I_CAP]
    const used = (i32[I_TAIL] - i32[I_HEAD]) >>> 0
    if (used + need <= cap) return true
    let next = cap
    while (used + need > next) next *= 2
    if (next > MAX_BYTES) return false
    this.sab.grow(HEADER + next)
    // Each byte of [head, tail) moves to its index under the new mask; moved
    // bytes land in the new half, so nothing is overwritten, and until the
    // capacity is published the old layout stays valid.
    const tail = i32[I_TAIL] >>> 0
    for (let p = i32[I_HEAD] >>> 0; p !== tail;) {
      const from = p & (cap - 1)
      const to = p & (next - 1)
      const run = Math.min(cap - from, next - to, (tail - p) >>> 0)
      if (from !== to) bytes.copyWithin(to, from, from + run)
      p = (p + run) >>> 0
    }
    Atomics.store(i32, I_CAP, next)
    return true
  }

  private write(at: number, record: Uint8Array): void {
    const { i32, bytes, words } = this[views]
    const mask = i32[I_CAP] - 1
    words[(at & mask) >>> 2] = record.length
    const start = (at + 4) & mask
    const first = Math.min(record.length, mask + 1 - start)
    bytes.set(first === record.length ? record : record.subarray(0, first), start)
    if (first < record.length) bytes.set(record.subarray(first), 0)
  }

  private read(at: number): Uint8Array {
    const { i32, bytes, words } = this[views]
    const mask = i32[I_CAP] - 1
    const length = words[(at & mask) >>> 2]
    const start = (at + 4) & mask
    const out = Buffer.allocUnsafe(length) // Buffer: decode reads its text without a view
    const first = Math.min(length, mask + 1 - start)
    out.set(bytes.subarray(start, start + first))
    if (first < length) out.set(bytes.subarray(0, length - first), first)
    return out
  }

  /**
   * Appends a record: R_OK, or -1 when full (the caller waits). An Unpacked
   * text is written where it will lie when it fits without wrapping the
   * buffer's end; else as bytes.
   */
  private push(record: Uint8Array | Unpacked): number {
    const state = this.state()
    if (state !== OPEN) return state === ENDED ? R_ENDED : R_SHUTDOWN
    if (this.capacity > 0 && this.count() >= this.capacity) return -1
    if (record instanceof Unpacked) {
      if (this.writeHere(record)) return R_OK
      record = textBytes(record)
    }
    if (!this.room(span(record.length))) return -1
    const tail = this[views].i32[I_TAIL]
    this.write(tail, record)
    this.published(tail, record.length)
    return R_OK
  }

  /** Writes a text where it will lie, if room for its longest UTF-8 can be made there. */
  private writeHere(item: Unpacked): boolean {
    const most = textRoom(item)
    if (!this.room(span(most))) return false
    const { i32, words } = this[views]
    const cap = i32[I_CAP]
    const tail = i32[I_TAIL]
    const start = (tail + 4) & (cap - 1)
    if (start + most > cap) return false
    const length = writeText(this.textView(cap), start, item)
    words[(tail & (cap - 1)) >>> 2] = length
    this.published(tail, length)
    return true
  }

  /** Publishes the record of `length` bytes written at `tail`. */
  private published(tail: number, length: number): void {
    const { i32, w64 } = this[views]
    Atomics.store(w64, W_TAIL, pack(tail + span(length), i32[I_PUSHES] + 1))
    this.bump(I_PUSHED, I_WAIT_NOT_EMPTY)
  }

  /** This thread's Buffer over the records, at least `cap` bytes long. */
  private textView(cap: number): Buffer {
    const v = this[views]
    if (v.text === undefined || v.text.length < cap) v.text = Buffer.from(this.sab, HEADER, cap)
    return v.text
  }

  /**
   * Removes the first record: the bytes, or a status when there is none.
   * `here`: unpacked where it lies when it can be (it does not wrap the
   * buffer's end, and is not a v8-serialized item).
   */
  private pop(here = false): Uint8Array | Unpacked | number {
    if (this.count() === 0) {
      const state = this.state()
      return state === OPEN ? -1 : state === ENDED ? R_ENDED : R_SHUTDOWN
    }
    if (this.state() === SHUTDOWN) return R_SHUTDOWN
    const { i32, w64, words } = this[views]
    const head = i32[I_HEAD]
    const cap = i32[I_CAP]
    const length = words[(head & (cap - 1)) >>> 2]
    const start = (head + 4) & (cap - 1)
    const record = (here && start + length <= cap ? unpackAt(this.textView(cap), start, start + length) : undefined) ??
      this.read(head)
    Atomics.store(w64, W_HEAD, pack(head + span(length), i32[I_POPS] + 1))
    this.bump(I_POPPED, I_WAIT_NOT_FULL)
    return record
  }

  /**
   * Removes up to `most` records, but at most half of what is there (at least
   * one), so that a batch for one consumer leaves work for the others.
   */
  private popMany(most: number): Array<Uint8Array> | number {
    const first = this.pop()
    if (typeof first === "number") return first
    const out = [first as Uint8Array]
    const extra = Math.min(most - 1, this.count() >> 1)
    for (let i = 0; i < extra; i++) out.push(this.pop() as Uint8Array)
    return out
  }

  /** Returns a record to the front: an undone remote take (may exceed the capacity by one). */
  private unshift(record: Uint8Array): void {
    const need = span(record.length)
    if (!this.room(need)) return
    const { i32, w64 } = this[views]
    const head = (i32[I_HEAD] - need) >>> 0
    this.write(head, record)
    Atomics.store(w64, W_HEAD, pack(head, i32[I_POPS] - 1))
    this.bump(I_PUSHED, I_WAIT_NOT_EMPTY)
  }

  /** Wakes the waiters of one condition. */
  private bump(counter: number, waiters: number): void {
    const i32 = this[views].i32
    Atomics.add(i32, counter, 1)
    if (Atomics.load(i32, waiters) > 0) Atomics.notify(i32, counter)
  }

  // -- waiting ---------------------------------------------------------------------

  /**
   * Runs `attempt` under the lock until it returns something other than -1;
   * in between, waits for the wake counter `word` to change. Returns the canceller.
   */
  private retry<R>(attempt: () => R | -1, word: number, counter: number, done: (r: R) => void): Cancel | undefined {
    let cancelWait: CancelWait | undefined
    let cancelled = false
    let settled = false
    let ack: (() => void) | undefined
    const loop = (): void => {
      cancelWait = undefined
      if (cancelled) return ack?.()
      // Read the word before the attempt: a change after it ends the wait at once.
      const seen = Atomics.load(this[views].i32, word)
      // The attempt and its continuation run in one turn: a cancel lands
      // before the attempt (nothing is taken) or after the continuation.
      this.locked(() => cancelled ? WITHDRAWN : attempt(), (r) => {
        if (r === WITHDRAWN) return ack?.()
        if (r !== -1) {
          settled = true
          return done(r as R)
        }
        // A short spin first: a reply in a ping-pong usually comes within a
        // few microseconds, and a waitAsync wake-up costs more than that.
        const i32 = this[views].i32
        for (let k = 0; k < SPIN_WAIT; k++) {
          if (Atomics.load(i32, word) !== seen) return queueMicrotask(loop)
        }
        cancelWait = waitWord(i32, word, seen, i32, counter, loop)
      })
    }
    loop()
    if (settled) return undefined
    return (onAck) => {
      if (settled) return onAck()
      cancelled = true
      ack = onAck
      if (cancelWait !== undefined) {
        cancelWait()
        cancelWait = undefined
        onAck()
      }
    }
  }

  private waitDone(reply: Reply): Cancel | undefined {
    const i32 = this[views].i32
    let cancelWait: CancelWait | undefined
    let settled = false
    const loop = (): void => {
      const seen = Atomics.load(i32, I_DONE_CHANGED)
      const done = Atomics.load(i32, I_DONE)
      const state = this.state()
      if (state === SHUTDOWN) {
        settled = true
        return reply(R_SHUTDOWN)
      }
      if (((Atomics.load(i32, I_PUSHES) - done) >>> 0) === 0) {
        settled = true
        return reply(R_OK)
      }
      cancelWait = waitWord(i32, I_DONE_CHANGED, seen, i32, I_WAIT_DONE, loop)
    }
    loop()
    if (settled) return undefined
    return (ack) => {
      cancelWait?.()
      ack()
    }
  }

  private setState(state: number): void {
    const i32 = this[views].i32
    const before = Atomics.compareExchange(i32, I_STATE, OPEN, state)
    if (before !== OPEN && state === SHUTDOWN) Atomics.store(i32, I_STATE, SHUTDOWN)
    if (before !== state) stateChanged(this.id, state === ENDED ? R_ENDED : R_SHUTDOWN)
    // everyone waiting re-checks
    this.bump(I_PUSHED, I_WAIT_NOT_EMPTY)
    this.bump(I_POPPED, I_WAIT_NOT_FULL)
    this.bump(I_DONE_CHANGED, I_WAIT_DONE)
  }

  // -- without waiting, here ----------------------------------------------------------

  /**
   * An offer on this thread's view that does not wait: R_OK, a status, or -1
   * when it would wait (full, or the lock busy); then the request
   * (Q_OFFER_HERE) tries again and waits. No closure is made on this path.
   */
  offerNow(item: Unpacked | Uint8Array): number {
    if (!this.tryLock()) return -1
    try {
      return this.push(item)
    } finally {
      this.unlock()
    }
  }

  /** A take on this thread's view that does not wait: the item (as `pop(true)`), a status, or -1 as `offerNow`. */
  takeNow(): Uint8Array | Unpacked | number {
    if (!this.tryLock()) return -1
    try {
      return this.pop(true)
    } finally {
      this.unlock()
    }
  }

  // -- requests ----------------------------------------------------------------------

  request(op: number, data: unknown, reply: Reply): Cancel | undefined {
    switch (op) {
      case Q_OFFER:
        return this.retry(() => this.push(data as Uint8Array), I_POPPED, I_WAIT_NOT_FULL, (s) => reply(s))
      case Q_TRY_OFFER:
        this.locked(() => this.push(data as Uint8Array), (s) => s === -1 ? reply(R_OK, false) : s === R_OK ? reply(R_OK, true) : reply(s))
        return undefined
      case Q_OFFER_ALL: {
        const records = data as ReadonlyArray<Uint8Array>
        let i = 0
        // All that fit go in under one lock; the rest wait for room.
        const attempt = (): number => {
          for (; i < records.length; i++) {
            const s = this.push(records[i])
            if (s !== R_OK) return s
          }
          return R_OK
        }
        return this.retry(attempt, I_POPPED, I_WAIT_NOT_FULL, (s) => reply(s, i))
      }
      case Q_TAKE:
        return this.retry(() => this.pop(), I_PUSHED, I_WAIT_NOT_EMPTY, (r) => typeof r === "number" ? reply(r) : reply(R_OK, r))
      case Q_OFFER_HERE:
        return this.retry(() => this.push(data as Unpacked | Uint8Array), I_POPPED, I_WAIT_NOT_FULL, (s) => reply(s))
      case Q_TAKE_HERE:
        return this.retry(() => this.pop(true), I_PUSHED, I_WAIT_NOT_EMPTY, (r) => typeof r === "number" ? reply(r) : reply(R_OK, r))
      case Q_POLL:
        this.locked(() => this.pop(), (r) => typeof r !== "number" ? reply(R_OK, r) : r === -1 || r === R_ENDED ? reply(R_OK, undefined) : reply(r))
        return undefined
      case Q_AWAIT: {
        const check = () => {
          if (this.count() > 0) return true
          const state = this.state()
          return state === OPEN ? -1 : state === ENDED ? false : R_SHUTDOWN
        }
        const answer = (r: boolean | number) => r === R_SHUTDOWN ? reply(R_SHUTDOWN) : reply(R_OK, r)
        // data false: do not wait (value undefined when a take would wait)
        if (data === false) {
          this.locked(check, (r) => r === -1 ? reply(R_OK, undefined) : answer(r))
          return undefined
        }
        return this.retry(check, I_PUSHED, I_WAIT_NOT_EMPTY, answer)
      }
      case Q_SIZE: {
        const state = this.state()
        if (state === SHUTDOWN) reply(R_SHUTDOWN)
        else {
          const w = Atomics.load(this[views].w64, W_TAIL)
          const h = Atomics.load(this[views].w64, W_HEAD)
          reply(R_OK, Number((BigInt.asUintN(32, (w >> 32n) - (h >> 32n)))))
        }
        return undefined
      }
      case Q_END:
        this.setState(ENDED)
        reply(R_OK)
        return undefined
      case Q_SHUTDOWN:
        this.shutdown()
        reply(R_OK)
        return undefined
      case Q_TASK_DONE: {
        const i32 = this[views].i32
        this.locked(() => {
          if (this.state() === SHUTDOWN) return R_SHUTDOWN
          if (((i32[I_PUSHES] - i32[I_DONE]) >>> 0) === 0) return R_INVALID
          Atomics.add(i32, I_DONE, 1)
          this.bump(I_DONE_CHANGED, I_WAIT_DONE)
          return R_OK
        }, (s) => reply(s, s === R_INVALID ? "taskDone() called more times than items were offered" : undefined))
        return undefined
      }
      case Q_JOIN:
        return this.waitDone(reply)
      case Q_PUT_BACK:
        this.locked(() => this.unshift(data as Uint8Array), () => reply(R_OK))
        return undefined
      case Q_TAKE_MANY:
        return this.retry(() => this.popMany((data as readonly [number, number])[0]), I_PUSHED, I_WAIT_NOT_EMPTY, (r) => typeof r === "number" ? reply(r) : reply(R_OK, r))
      case Q_PUT_BACK_MANY: {
        const records = data as ReadonlyArray<Uint8Array>
        this.locked(() => {
          for (let i = records.length - 1; i >= 0; i--) this.unshift(records[i])
        }, () => reply(R_OK))
        return undefined
      }
      default:
        reply(R_INVALID, `unknown queue request ${op}`)
        return undefined
    }
  }

  /** Every waiter and every later call fails; the main program forgets the queue. */
  shutdown(): void {
    this.setState(SHUTDOWN)
    live.delete(this.id)
  }
}

defineKind("queue", {
  revive: (wire) => new QueueCore(wire.id, wire.sab, wire.capacity, wire.joinable),
  meta: (core: QueueCore) => ({ capacity: core.capacity, joinable: core.joinable }),
  undo: (op, status, value) =>
    status !== R_OK || value === undefined
      ? undefined
      : op === Q_TAKE || op === Q_POLL
      ? [Q_PUT_BACK, value]
      : op === Q_TAKE_MANY
      ? [Q_PUT_BACK_MANY, value]
      : undefined,
  held: (op, data, status, value) => {
    switch (op) {
      case Q_TAKE_MANY:
        return (status === R_OK ? (value as ReadonlyArray<unknown>).length : 0) - (data as readonly [number, number])[1]
      case Q_TAKE:
        return status === R_OK ? 1 : 0
      case Q_POLL:
        return status === R_OK && value !== undefined ? 1 : 0
      case Q_PUT_BACK:
        return -1
      case Q_PUT_BACK_MANY:
        return -(data as ReadonlyArray<unknown>).length
      default:
        return 0
    }
  }
})
