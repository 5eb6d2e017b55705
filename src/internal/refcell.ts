/**
 * A cell of any cloneable value shared by every worker: `Shared.ref`, Effect's
 * Ref across workers. The value is kept encoded (codec.ts) in a growable
 * SharedArrayBuffer; its length and state sit in a small header. Every read
 * and write happens under the cell's RLock (the public module takes it), so a
 * reader never sees half of a write; a child process reaches the bytes
 * through the main program.
 */
import { type Cancel, defineKind, live, newId, R_INVALID, R_OK, R_SHUTDOWN, type Reply, revive, type SharedObject, toRemote } from "./handles.ts"
import type { LockCore } from "./lock.ts"

export const C_GET = 0 // value: the encoded value (a copy)
export const C_SET = 1 // data: the encoded value

const I_STATE = 0 // 1: the scope has closed
const I_LENGTH = 1 // bytes of the encoded value

const INITIAL = 64
/** Most bytes a value may take encoded; the buffer grows to it as needed. */
export const MAX_BYTES = 1 << 30

export class RefCore implements SharedObject {
  readonly "~emp" = "ref"
  readonly id: number
  readonly words: Int32Array
  readonly data: SharedArrayBuffer
  readonly lock: LockCore

  constructor(id: number, words: Int32Array, data: SharedArrayBuffer, lock: LockCore) {
    this.id = id
    this.words = words
    this.data = data
    this.lock = lock
  }

  static make(bytes: Uint8Array, lock: LockCore): RefCore {
    const data = new (SharedArrayBuffer as any)(INITIAL, { maxByteLength: MAX_BYTES }) as SharedArrayBuffer
    const ref = new RefCore(newId(), new Int32Array(new SharedArrayBuffer(8)), data, lock)
    ref.write(bytes)
    live.set(ref.id, ref)
    return ref
  }

  get closed(): boolean {
    return Atomics.load(this.words, I_STATE) === 1
  }

  /** The encoded value, copied out (the caller holds the lock). */
  read(): Uint8Array {
    return new Uint8Array(this.data, 0, Atomics.load(this.words, I_LENGTH)).slice()
  }

  /** Stores the encoded value (the caller holds the lock). */
  write(bytes: Uint8Array): void {
    if (bytes.length > this.data.byteLength) {
      let size = this.data.byteLength
      while (size < bytes.length) size *= 2
      ;(this.data as any).grow(Math.min(size, MAX_BYTES))
    }
    new Uint8Array(this.data, 0, bytes.length).set(bytes)
    Atomics.store(this.words, I_LENGTH, bytes.length)
  }

  request(op: number, data: unknown, reply: Reply): Cancel | undefined {
    if (this.closed) {
      reply(R_SHUTDOWN)
      return undefined
    }
    if (op === C_GET) reply(R_OK, this.read())
    else if (op === C_SET) {
      this.write(data as Uint8Array)
      reply(R_OK)
    } else reply(R_INVALID, `unknown ref request ${op}`)
    return undefined
  }

  /** Every later call fails; the main program forgets the cell. */
  shutdown(): void {
    Atomics.store(this.words, I_STATE, 1)
    live.delete(this.id)
  }
}

defineKind("ref", {
  revive: (wire) => new RefCore(wire.id, wire.words, wire.data, revive(wire.lock) as LockCore),
  meta: (ref: RefCore) => ({ lock: toRemote(ref.lock) }),
  undo: () => undefined
})
