import type * as Effect from "effect/Effect"
import type * as Pipe from "../../src/Pipe.ts"
import type * as Queue from "../../src/Queue.ts"
import type * as Task from "../../src/Task.ts"

export declare const produce: Task.Task<readonly [Queue.Queue<any>, number, boolean], number, Queue.QueueError>
export declare const consume: Task.Task<readonly [Queue.Queue<any>, number, boolean], number, Queue.QueueError>
export declare const echoPipe: Task.Task<readonly [Pipe.Duplex<number>, number], number, Pipe.PipeError>
export type _ = Effect.Effect<never>
