/**
 * The wire format between a pool and its workers. Messages are flat arrays so
 * that one event-loop turn's worth of calls crosses as one message and costs
 * no per-call object: main -> worker is `[op, id, taskKey, data, op, ...]`
 * (stride 4), worker -> main is `[id, status, value, id, ...]` (stride 3).
 */

export const OP_CALL = 0 // data: argument list
export const OP_MAP = 1 // data: inputs, one argument each; stop at the first failure
export const OP_STARMAP = 2 // data: argument lists; stop at the first failure
export const OP_MAP_EXIT = 3 // as OP_MAP, but every outcome is returned
export const OP_STARMAP_EXIT = 4 // as OP_STARMAP, but every outcome is returned
export const OP_INTERRUPT = 5 // id only
export const OP_INIT = 6 // initializer: argument list
export const OP_PING = 7 // handshake, data: PingData; answered with [PING_ID, S_OK, undefined]
export const OP_SHARED_REPLY = 8 // id: the worker's request id; data: [status, value] (see handles.ts)
export const OP_SHARED_NOTICE = 9 // id: a shared object the worker used; data: its new status (ended, shut down)
export const REQUEST_STRIDE = 4

/** Set on a call's op when its arguments hold shared objects: the worker revives them first. */
export const SHARED_FLAG = 16

/**
 * Set on a call's op when the task declares services, or the caller is in a
 * span: data is `[data, [key, value, ...]]`.
 */
export const SERVICES_FLAG = 32

/**
 * Last in a call's services, the caller's trace context: `TRACE_KEY, traceId,
 * spanId, flags` (`TRACE_SAMPLED`, `TRACE_RELAY`). The worker runs an Effect
 * handler under it as an external parent span and, with `TRACE_RELAY`,
 * relays the spans it makes to the main program (relay.ts). The key is short
 * (it crosses with every call made in a span) and cannot be a service's.
 */
export const TRACE_KEY = "\u0000trace"
export const TRACE_SAMPLED = 1
export const TRACE_RELAY = 2

export const S_OK = 0 // value (encoded by the success schema, if any)
export const S_FAIL = 1 // typed failure of an Effect handler (encoded)
export const S_DIE = 2 // defect of an Effect handler (EncodedError)
export const S_THROWN = 3 // thrown by a plain handler / rejected Promise (EncodedError)
export const S_INTERRUPTED = 4
export const S_LIB = 5 // a library error: [tag, fields]
export const S_CHUNK_FAIL = 6 // value: [index, status, value] of the first failing input of a chunk
export const S_LOCAL = 7 // a library error raised on the caller's side (never crosses the wire)
export const REPLY_STRIDE = 3

/** Id of the handshake: the first reply proves the channel is open both ways. */
export const PING_ID = 0

/** Id of a child process's last words: value is the uncaught error that is killing it. */
export const FATAL_ID = -2

/** Id of a log line written in a worker: status is the level, value `[message, annotations, date]`. */
export const LOG_ID = -1

/** Id of a relayed span's start or end: status is `SPAN_START` / `SPAN_END`, value the record (relay.ts). */
export const SPAN_ID = -5

/** Id of a worker's request to a shared object the main program owns: status is the request id, value `[object, op, data]`. */
export const SHARED_ID = -3

/** Id of a worker withdrawing such a request: status is the request id. */
export const SHARED_CANCEL_ID = -4

export const isChunkOp = (op: number): boolean => op >= OP_MAP && op <= OP_STARMAP_EXIT
export const isStarOp = (op: number): boolean => op === OP_STARMAP || op === OP_STARMAP_EXIT
export const isExitOp = (op: number): boolean => op === OP_MAP_EXIT || op === OP_STARMAP_EXIT

/** The workerData key under which a worker thread finds its own request / reply channel. */
export const CHANNEL_KEY = "effect-multiprocessing/channel"
/**
 * A thread's doorbell (an Int32Array on a SharedArrayBuffer): `[BELL_POSTS]`
 * counts the main program's posts (on the channel, and its close request), `[BELL_SLEEPING]` is 1
 * while the thread sleeps on it in `Atomics.wait` (worker.ts).
 */
export const BELL_KEY = "effect-multiprocessing/bell"
export const BELL_POSTS = 0
export const BELL_SLEEPING = 1
/**
 * A thread's ping data (see OP_PING), given at spawn: the thread answers
 * the handshake's ping by itself as soon as it is up, instead of waiting
 * for a ping from the main program (one round trip less at start).
 */
export const PING_KEY = "effect-multiprocessing/ping"

/** What the handshake's ping carries: the worker's name (`Process.current` there), the main program's compile cache. */
export type PingData = readonly [name: string, compileCache: string | undefined]
