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
import { type Cancel, KIND, kindOf, R_CANCELLED, type Reply, type SharedObject, setRemoteFactory } from "./handles.ts"

export interface ParentLink {
  readonly send: (request: number, object: number, op: number, data: unknown) => void
  readonly cancel: (request: number) => void
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

class Remote implements SharedObject {
  readonly "~emp": string
  readonly id: number
  constructor(wire: Record<string, unknown>) {
    // the kind's fields (capacity, direction...) come along
    Object.assign(this, wire)
    this[KIND] = wire[KIND] as string
    this.id = wire.id as number
  }
  request(op: number, data: unknown, reply: Reply): Cancel {
    const request = nextRequest++
    const entry: Pending = { kind: this[KIND], object: this.id, op, reply, ack: undefined }
    pending.set(request, entry)
    link!.send(request, this.id, op, data)
    return (ack) => {
      if (!pending.has(request)) return ack()
      entry.ack = ack
      link!.cancel(request)
    }
  }
}

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
