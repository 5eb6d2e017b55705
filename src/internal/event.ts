/**
 * An event flag in a SharedArrayBuffer: Python's `multiprocessing.Event`.
 * One word says whether it is set; waiters wait (spin briefly, then
 * `Atomics.waitAsync`) for it to change, and `set` wakes them all.
 */
import { type Cancel, defineKind, live, newId, R_INVALID, R_OK, R_SHUTDOWN, type Reply, type SharedObject } from "./handles.ts"
import { DONE, retryOnChange, WAIT } from "./waits.ts"

export const E_SET = 0
export const E_CLEAR = 1
export const E_IS_SET = 2 // value: boolean
export const E_WAIT = 3 // waits until set

const I_FLAG = 0 // 0 clear, 1 set, 2 shut down
const I_WAITERS = 1
const SHUT = 2

export class EventCore implements SharedObject {
  readonly "~emp" = "event"
  readonly id: number
  readonly words: Int32Array

  constructor(id: number, words: Int32Array) {
    this.id = id
    this.words = words
  }

  static make(): EventCore {
    const event = new EventCore(newId(), new Int32Array(new SharedArrayBuffer(8)))
    live.set(event.id, event)
    return event
  }

  request(op: number, _data: unknown, reply: Reply): Cancel | undefined {
    const words = this.words
    const flag = Atomics.load(words, I_FLAG)
    if (flag === SHUT) {
      reply(R_SHUTDOWN)
      return undefined
    }
    switch (op) {
      case E_SET:
        if (Atomics.compareExchange(words, I_FLAG, 0, 1) === 0) Atomics.notify(words, I_FLAG)
        reply(R_OK)
        return undefined
      case E_CLEAR:
        Atomics.compareExchange(words, I_FLAG, 1, 0)
        reply(R_OK)
        return undefined
      case E_IS_SET:
        reply(R_OK, flag === 1)
        return undefined
      case E_WAIT:
        return this.wait(reply)
      default:
        reply(R_INVALID, `unknown event request ${op}`)
        return undefined
    }
  }

  private wait(reply: Reply): Cancel | undefined {
    const words = this.words
    return retryOnChange(words, I_FLAG, I_WAITERS, () => {
      const flag = Atomics.load(words, I_FLAG)
      if (flag === 0) return WAIT
      reply(flag === 1 ? R_OK : R_SHUTDOWN)
      return DONE
    })
  }

  shutdown(): void {
    Atomics.store(this.words, I_FLAG, SHUT)
    Atomics.notify(this.words, I_FLAG)
    live.delete(this.id)
  }
}

defineKind("event", {
  revive: (wire) => new EventCore(wire.id, wire.words),
  meta: () => ({}),
  undo: () => undefined
})
