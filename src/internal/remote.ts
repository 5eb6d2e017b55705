/**
 * Shared objects in a child process: a `Remote` sends each request to the
 * main program, which owns the object (host.ts), through the worker's reply
 * batches, and gets the answer in a request batch: one message each way per
 * event-loop turn, however many requests a turn makes.
 *
 * A withdrawn request (an interrupted `take`) is withdrawn in the main
 * program too; if the answer was already on its way, what it took is undone
 * (the item goes back to the front), so an interrupted call consumes nothing.
 */
import { type Cancel, KIND, kindOf, R_CANCELLED, R_OK, R_SHUTDOWN, type Reply, revive, type SharedObject, setRemoteFactory } from "./handles.ts"
import * as Q from "./ring.ts"

export interface ParentLink {
  readonly send: (request: number, object: number, op: number, data: unknown) => void
  readonly cancel: (request: number) => void
  /** Posts what is batched now, without waiting for the end of the turn. */
  readonly flush: () => void
}

let link: ParentLink | undefined

interface Pending {
  readonly kind: string
  readonly object: number
  readonly op: number
  readonly reply: Reply
  ack: (() => void) | undefined
}

const pending = new Map<number, Pending>()
let nextRequest = 1

/** Sends one request to the main program; returns its canceller. */
const send = (kind: string, object: number, op: number, data: unknown, reply: Reply): Cancel => {
  group = undefined
  const request = nextRequest++
  const entry: Pending = { kind, object, op, reply, ack: undefined }
  pending.set(request, entry)
  link!.send(request, object, op, data)
  return (ack) => {
    if (!pending.has(request)) return ack()
    entry.ack = ack
    link!.cancel(request)
  }
}

class Remote implements SharedObject {
  readonly "~emp": string
  readonly id: number
  readonly capacity?: number
  constructor(wire: Record<string, unknown>) {
    // the kind's fields (capacity, direction...) come along
    Object.assign(this, wire)
    // and the shared objects among them (a value's lock) become live too
    for (const key in wire) if (key !== KIND && typeof wire[key] === "object") (this as any)[key] = revive(wire[key])
    this[KIND] = wire[KIND] as string
    this.id = wire.id as number
  }
  request(op: number, data: unknown, reply: Reply): Cancel | undefined {
    if (this[KIND] === "queue") return queueRequest(this, op, data, reply)
    return send(this[KIND], this.id, op, data, reply)
  }
}

// -- queues: batches both ways ---------------------------------------------------
//
// A round trip to the main program per item would cap a child at ~15k items/s.
// So a child's offers to an unbounded queue are pipelined (`offer` returns once
// the item is on its way, as Python's `put` does; a refusal, say after
// `Queue.end`, fails the next call, or the task if none follows), and a take
// brings back a batch that later takes use. A batch is never lost or hoarded:
// an interrupted take puts it back, the child returns what is left when a
// task ends, and when no take used it for a turn of the event loop.

/** Pipelined offers in flight per queue. */
const WINDOW = 1024
/** Most items one take brings back. */
const BATCH = 64

interface Taker {
  settled: boolean
  readonly reply: Reply
  cancel: Cancel | undefined
}

interface QueueState {
  readonly id: number
  buffer: Array<Uint8Array>
  readonly takers: Set<Taker>
  inFlight: number
  /** The status of a refused pipelined offer, until a call reports it. */
  refused: number | undefined
  /** Set when the main program says the queue ended or shut down: offers fail here at once. */
  closed: number | undefined
  /**
   * Whether the main program has answered this child about the queue: from
   * then on it tells the child when the queue ends, so offers may be pipelined.
   */
  known: boolean
  readonly blocked: Array<() => void>
  took: boolean
  idleCheck: boolean
  /** Items handed to takers since the last batch was asked for (the main program counts what a child holds). */
  used: number
}

const queues = new Map<number, QueueState>()
const drained: Array<() => void> = []
let inFlight = 0

const stateOf = (id: number): QueueState => {
  let state = queues.get(id)
  if (state === undefined) {
    state = { id, buffer: [], takers: new Set(), inFlight: 0, refused: undefined, closed: undefined, known: false, blocked: [], took: false, idleCheck: false, used: 0 }
    queues.set(id, state)
  }
  return state
}

const giveBack = (state: QueueState): void => {
  if (state.buffer.length === 0) return
  const records = state.buffer
  state.buffer = []
  send("queue", state.id, Q.Q_PUT_BACK_MANY, records, () => {})
}

/** Items no take used for a turn of the event loop go back. */
const scheduleIdleCheck = (state: QueueState): void => {
  if (state.idleCheck || state.buffer.length === 0) return
  state.idleCheck = true
  state.took = false
  setImmediate(() => {
    state.idleCheck = false
    if (state.took) return scheduleIdleCheck(state)
    giveBack(state)
  })
}

/** Items arrived in a batch: they serve the takers waiting here first. */
const stash = (state: QueueState, records: ReadonlyArray<Uint8Array>): void => {
  for (const record of records) state.buffer.push(record)
  for (const taker of state.takers) {
    if (state.buffer.length === 0) break
    state.takers.delete(taker)
    taker.settled = true
    taker.cancel?.(() => {}) // its own batch, if one comes anyway, goes back
    state.used++
    taker.reply(R_OK, state.buffer.shift())
  }
  scheduleIdleCheck(state)
}

const take = (remote: Remote, state: QueueState, reply: Reply): Cancel | undefined => {
  state.took = true
  if (state.buffer.length > 0) {
    state.used++
    reply(R_OK, state.buffer.shift())
    return undefined
  }
  const taker: Taker = { settled: false, reply, cancel: undefined }
  state.takers.add(taker)
  const used = state.used
  state.used = 0
  taker.cancel = send(remote[KIND], remote.id, Q.Q_TAKE_MANY, [BATCH, used], (status, value) => {
    if (status !== R_OK) {
      if (taker.settled) return
      taker.settled = true
      state.takers.delete(taker)
      return reply(status, value)
    }
    const records = value as Array<Uint8Array>
    if (taker.settled) return stash(state, records)
    taker.settled = true
    state.takers.delete(taker)
    const first = records.shift()
    // the rest is in the buffer before the taker resumes (and takes again)
    stash(state, records)
    state.used++
    reply(R_OK, first)
  })
  return (ack) => {
    if (taker.settled) return ack()
    taker.settled = true
    state.takers.delete(taker)
    taker.cancel!(ack)
  }
}

let postedThisTurn = false
/**
 * The request that this turn's offers to one queue are appended to, until the
 * batch is posted (the end of the turn) or another request is sent: its
 * array is in the batch, and ordering with other requests is kept.
 */
let group: { readonly state: QueueState; readonly records: Array<Uint8Array> } | undefined
const endOfTurn = () => {
  postedThisTurn = false
  group = undefined
}

const offer = (remote: Remote, state: QueueState, op: number, data: unknown, reply: Reply): Cancel | undefined => {
  if (state.refused !== undefined || state.closed !== undefined) {
    const status = (state.refused ?? state.closed)!
    state.refused = undefined
    reply(status)
    return undefined
  }
  let withdrawn = false
  const acked = (n: number) => (status: number) => {
    state.inFlight -= n
    inFlight -= n
    if (status !== R_OK) state.refused ??= status
    for (let k = 0; k < n; k++) state.blocked.shift()?.()
    if (inFlight === 0) for (const f of drained.splice(0)) f()
  }
  const go = () => {
    if (withdrawn) return
    state.inFlight++
    inFlight++
    // The first offer of a turn is posted at once: a task that offers and
    // then runs synchronous code must not hold its item back. The producer
    // goes on at once, so the offers that follow in the same turn ride one
    // message, posted at the end of the turn (a child sends one message per
    // turn, not one per item: CEILINGS.md's 1-item-per-message ceiling), and
    // consecutive single offers to one queue are one request there.
    if (!postedThisTurn) {
      send(remote[KIND], remote.id, op, data, acked(1))
      postedThisTurn = true
      link!.flush()
      queueMicrotask(endOfTurn)
    } else if (op === Q.Q_OFFER && group?.state === state) {
      group.records.push(data as Uint8Array)
    } else if (op === Q.Q_OFFER) {
      const records = [data as Uint8Array]
      send(remote[KIND], remote.id, Q.Q_OFFER_ALL, records, (status) => acked(records.length)(status))
      group = { state, records } // after the send, which closes any group
    } else {
      send(remote[KIND], remote.id, op, data, acked(1))
    }
    reply(R_OK)
  }
  if (state.inFlight < WINDOW) {
    go()
    return undefined
  }
  state.blocked.push(go)
  return (ack) => {
    withdrawn = true
    ack()
  }
}

const queueRequest = (remote: Remote, op: number, data: unknown, reply: Reply): Cancel | undefined => {
  const state = stateOf(remote.id)
  switch (op) {
    case Q.Q_TAKE:
      return take(remote, state, reply)
    case Q.Q_POLL:
      if (state.buffer.length > 0) {
        state.took = true
        state.used++
        reply(R_OK, state.buffer.shift())
        return undefined
      }
      break
    case Q.Q_SIZE:
      return send(remote[KIND], remote.id, op, data, (status, value) =>
        reply(status, status === R_OK ? (value as number) + state.buffer.length : value))
    case Q.Q_OFFER:
    case Q.Q_OFFER_ALL:
      if (!remote.capacity && state.known) return offer(remote, state, op, data, reply)
      break
  }
  return send(remote[KIND], remote.id, op, data, (status, value) => {
    state.known = true
    reply(status, value)
  })
}

/**
 * A task of this child ended: give back what no take used, and call `done`
 * once every pipelined offer is acknowledged, with the status of a refusal
 * nobody has seen yet (the task then fails with it), if any.
 */
export const settle = (done: (refused: number | undefined) => void): void => {
  if (queues.size === 0) return done(undefined)
  for (const state of queues.values()) giveBack(state)
  const finish = () => {
    for (const state of queues.values()) {
      if (state.refused !== undefined) {
        const status = state.refused
        state.refused = undefined
        return done(status)
      }
    }
    done(undefined)
  }
  if (inFlight === 0) finish()
  else drained.push(finish)
}

/** The main program says a queue this child used ended or shut down. */
export const onNotice = (object: number, status: number): void => {
  const state = queues.get(object)
  if (state !== undefined && state.closed !== R_SHUTDOWN) state.closed = status
}

/** Whether a request to the main program awaits its answer. */
export const awaiting = (): boolean => pending.size > 0

/** Whether `settle` has anything to do (no queue was used here: nothing). */
export const active = (): boolean => queues.size > 0

/** The worker entry connects the remotes to its channel. */
export const setParentLink = (parent: ParentLink): void => {
  link = parent
  setRemoteFactory((wire) => new Remote(wire))
}

/** An answer from the main program. */
export const onReply = (request: number, status: number, value: unknown): void => {
  const entry = pending.get(request)
  if (entry === undefined) return
  pending.delete(request)
  if (entry.ack === undefined) return entry.reply(status, value)
  if (status !== R_CANCELLED) {
    const undo = kindOf(entry.kind).undo(entry.op, status, value)
    if (undo !== undefined) link!.send(nextRequest++, entry.object, undo[0], undo[1])
  }
  entry.ack()
}
