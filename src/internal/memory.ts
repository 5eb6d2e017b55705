/**
 * Typed memory shared by every worker: Python's `Value` and `Array` (and
 * their raw forms). The numbers live in a SharedArrayBuffer after an 8-byte
 * header whose first word says whether the scope has closed; a child process
 * reaches them through the main program. The value's lock (an RLock, unless
 * made raw) is a shared object of its own, carried along as a field.
 *
 * Requests only read and write; the public module checks types and ranges
 * first, so that a bad call fails the same way on every start method without
 * a round trip.
 */
import { type Cancel, defineKind, live, newId, R_OK, R_INVALID, R_SHUTDOWN, type Reply, revive, type SharedObject, toRemote } from "./handles.ts"
import type { LockCore } from "./lock.ts"

export const M_GET = 0 // data: index; value: the element
export const M_SET = 1 // data: [index, value]
export const M_SLICE = 2 // data: [start, end]; value: the elements
export const M_SET_SLICE = 3 // data: [start, values]

export type Typecode = "b" | "B" | "h" | "H" | "i" | "I" | "l" | "L" | "q" | "Q" | "f" | "d"

type View =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array

// 'l' / 'L' are C's long: 64 bits on Linux x86-64, where Python's figures were taken.
const views: Record<Typecode, new(buffer: ArrayBufferLike, offset: number, length: number) => View> = {
  b: Int8Array,
  B: Uint8Array,
  h: Int16Array,
  H: Uint16Array,
  i: Int32Array,
  I: Uint32Array,
  l: BigInt64Array,
  L: BigUint64Array,
  q: BigInt64Array,
  Q: BigUint64Array,
  f: Float32Array,
  d: Float64Array
}

export const isTypecode = (u: unknown): u is Typecode => typeof u === "string" && Object.hasOwn(views, u)

export const isBig = (typecode: Typecode): boolean =>
  typecode === "q" || typecode === "Q" || typecode === "l" || typecode === "L"

export const isFloat = (typecode: Typecode): boolean => typecode === "f" || typecode === "d"

const HEADER = 8
const I_STATE = 0 // 1: the scope has closed

export class MemoryCore implements SharedObject {
  readonly "~emp" = "memory"
  readonly id: number
  readonly typecode: Typecode
  readonly length: number
  /** Made by `Shared.array` (its elements are indexed) rather than `Shared.value`. */
  readonly array: boolean
  readonly buffer: SharedArrayBuffer
  readonly lock: LockCore | undefined
  readonly words: Int32Array
  readonly view: View
  /** Integer views are read and written with Atomics (floats cannot be). */
  readonly atomic: boolean

  constructor(
    id: number,
    typecode: Typecode,
    length: number,
    array: boolean,
    buffer: SharedArrayBuffer,
    lock: LockCore | undefined
  ) {
    this.id = id
    this.typecode = typecode
    this.length = length
    this.array = array
    this.buffer = buffer
    this.lock = lock
    this.words = new Int32Array(buffer, 0, 2)
    this.view = new views[typecode](buffer, HEADER, length)
    this.atomic = !isFloat(typecode)
  }

  static make(typecode: Typecode, length: number, array: boolean, lock: LockCore | undefined): MemoryCore {
    const size = (views[typecode] as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
    const memory = new MemoryCore(newId(), typecode, length, array, new SharedArrayBuffer(HEADER + size * length), lock)
    live.set(memory.id, memory)
    return memory
  }

  get closed(): boolean {
    return Atomics.load(this.words, I_STATE) === 1
  }

  read(index: number): number | bigint {
    return this.atomic ? Atomics.load(this.view as any, index) : this.view[index]
  }

  write(index: number, value: number | bigint): void {
    if (this.atomic) Atomics.store(this.view as any, index, value as any)
    else (this.view as any)[index] = value
  }

  request(op: number, data: unknown, reply: Reply): Cancel | undefined {
    if (this.closed) {
      reply(R_SHUTDOWN)
      return undefined
    }
    switch (op) {
      case M_GET:
        reply(R_OK, this.read(data as number))
        break
      case M_SET: {
        const [index, value] = data as readonly [number, number | bigint]
        this.write(index, value)
        reply(R_OK)
        break
      }
      case M_SLICE: {
        const [start, end] = data as readonly [number, number]
        const out: Array<number | bigint> = []
        for (let i = start; i < end; i++) out.push(this.read(i))
        reply(R_OK, out)
        break
      }
      case M_SET_SLICE: {
        const [start, values] = data as readonly [number, ReadonlyArray<number | bigint>]
        for (let i = 0; i < values.length; i++) this.write(start + i, values[i])
        reply(R_OK)
        break
      }
      default:
        reply(R_INVALID, `unknown memory request ${op}`)
    }
    return undefined
  }

  /** Every later call fails; the main program forgets the memory (its lock is closed with it). */
  shutdown(): void {
    Atomics.store(this.words, I_STATE, 1)
    live.delete(this.id)
  }
}

defineKind("memory", {
  revive: (wire) =>
    new MemoryCore(wire.id, wire.typecode, wire.length, wire.array, wire.buffer, revive(wire.lock) as LockCore | undefined),
  // a child gets no memory: only what the public module checks calls against, and the lock's route
  meta: (memory: MemoryCore) => ({
    typecode: memory.typecode,
    length: memory.length,
    array: memory.array,
    lock: memory.lock === undefined ? undefined : toRemote(memory.lock)
  }),
  undo: () => undefined
})
