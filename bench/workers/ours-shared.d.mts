import type * as Effect from "effect/Effect"
import type * as Lock from "../../src/Lock.ts"
import type * as Manager from "../../src/Manager.ts"
import type * as Pipe from "../../src/Pipe.ts"
import type * as Queue from "../../src/Queue.ts"
import type * as Shared from "../../src/Shared.ts"
import type * as Task from "../../src/Task.ts"

export declare const produce: Task.Task<readonly [Queue.Queue<any>, number, boolean], number, Queue.QueueError>
export declare const consume: Task.Task<readonly [Queue.Queue<any>, number, boolean], number, Queue.QueueError>
export declare const echoPipe: Task.Task<readonly [Pipe.Duplex<number>, number], number, Pipe.PipeError>
export declare const increment: Task.Task<readonly [Shared.SharedValue<number>, number], number, unknown>
export declare const lockLoop: Task.Task<readonly [Lock.Lock, number], number, unknown>
export declare const dictRoundTrips: Task.Task<readonly [Manager.Dict<number, number>, number], number, unknown>
export declare const incEffect: Task.Task<readonly [number], number, never>
export type _ = Effect.Effect<never>
