/**
 * A connection end of a pipe: two queues of the ring kind (one per direction;
 * one for a simplex pipe) and a flag per end saying it was closed. Closing an
 * end ends the queue it writes (the peer drains it, then gets end-of-file) and
 * raises its flag (the peer's next send is a broken pipe). Each end is a
 * shared object of its own, so the two ends can go to two different workers.
 */
import { type Cancel, defineKind, live, newId, R_BROKEN, R_CLOSED, R_ENDED, R_EOF, R_INVALID, R_OK, type Reply, type SharedObject } from "./handles.ts"
import * as R from "./ring.ts"

export const C_SEND = 0 // data: bytes
export const C_RECV = 1 // value: bytes
export const C_POLL = 2 // data: whether to wait; value: whether recv would not wait (an item, or end-of-file)
export const C_CLOSE = 3
export const C_PUT_BACK = 4 // data: bytes (an undone remote recv)

export class ConnectionCore implements SharedObject {
  readonly "~emp" = "conn"
  readonly id: number
  /** Where this end reads (none for a writer). */
  readonly inbox: R.QueueCore | undefined
  /** Where this end writes (none for a reader). */
  readonly outbox: R.QueueCore | undefined
  /** closed[0], closed[1]: whether each end was closed. */
  readonly closed: Int32Array
  readonly side: 0 | 1
  readonly readable: boolean
  readonly writable: boolean

  constructor(id: number, inbox: R.QueueCore | undefined, outbox: R.QueueCore | undefined, closed: Int32Array, side: 0 | 1) {
    this.id = id
    this.inbox = inbox
    this.outbox = outbox
    this.closed = closed
    this.side = side
    this.readable = inbox !== undefined
    this.writable = outbox !== undefined
  }

  /** Two connected ends: duplex, or `[reader, writer]`. */
  static pair(duplex: boolean): readonly [ConnectionCore, ConnectionCore] {
    const closed = new Int32Array(new SharedArrayBuffer(8))
    const forward = R.QueueCore.make(0, false) // written by the second end
    const backward = duplex ? R.QueueCore.make(0, false) : undefined // written by the first end
    const first = new ConnectionCore(newId(), forward, backward, closed, 0)
    const second = new ConnectionCore(newId(), backward, forward, closed, 1)
    live.set(first.id, first)
    live.set(second.id, second)
    return [first, second]
  }

  request(op: number, data: unknown, reply: Reply): Cancel | undefined {
    if (Atomics.load(this.closed, this.side) === 1) {
      reply(R_CLOSED)
      return undefined
    }
    switch (op) {
      case C_SEND: {
        if (this.outbox === undefined) return this.refuse(reply, "this end of the pipe is read-only")
        if (Atomics.load(this.closed, 1 - this.side) === 1) {
          reply(R_BROKEN)
          return undefined
        }
        return this.outbox.request(R.Q_OFFER, data, (s, v) => reply(s === R_ENDED ? R_BROKEN : s, v))
      }
      case C_RECV:
        if (this.inbox === undefined) return this.refuse(reply, "this end of the pipe is write-only")
        return this.inbox.request(R.Q_TAKE, undefined, (s, v) => reply(s === R_ENDED ? R_EOF : s, v))
      case C_POLL:
        if (this.inbox === undefined) return this.refuse(reply, "this end of the pipe is write-only")
        return this.inbox.request(R.Q_AWAIT, data, (s, v) => reply(s, v !== undefined))
      case C_PUT_BACK:
        return this.inbox?.request(R.Q_PUT_BACK, data, reply)
      case C_CLOSE:
        this.close()
        reply(R_OK)
        return undefined
      default:
        return this.refuse(reply, `unknown pipe request ${op}`)
    }
  }

  private refuse(reply: Reply, reason: string): undefined {
    reply(R_INVALID, reason)
    return undefined
  }

  close(): void {
    Atomics.store(this.closed, this.side, 1)
    // the peer drains what was sent, then reads end-of-file
    this.outbox?.request(R.Q_END, undefined, () => {})
    // what the peer sends from now on fails as a broken pipe
    this.inbox?.request(R.Q_END, undefined, () => {})
  }

  /** The scope of the pipe closed: both directions shut down. */
  shutdown(): void {
    Atomics.store(this.closed, this.side, 1)
    this.inbox?.shutdown()
    this.outbox?.shutdown()
    live.delete(this.id)
  }
}

const reviveQueue = (wire: any): R.QueueCore | undefined =>
  wire === undefined ? undefined : new R.QueueCore(wire.id, wire.sab, wire.capacity, wire.joinable)

defineKind("conn", {
  revive: (wire) => new ConnectionCore(wire.id, reviveQueue(wire.inbox), reviveQueue(wire.outbox), wire.closed, wire.side),
  meta: (c: ConnectionCore) => ({ side: c.side, readable: c.readable, writable: c.writable }),
  undo: (op, status, value) => op === C_RECV && status === R_OK ? [C_PUT_BACK, value] : undefined,
  // The worker that had this end is gone: the peer must not wait on it forever.
  onHolderExit: (end: ConnectionCore) => {
    if (Atomics.load(end.closed, end.side) === 0) end.close()
  }
})
