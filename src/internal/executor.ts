/**
 * The worker side of the protocol: runs the calls of a request batch and
 * batches the replies. The same executor serves a worker thread, a child
 * process and the `fiber` start method (where "posting" is a function call),
 * so every start method runs tasks with one piece of code.
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as SchemaModule from "effect/Schema"
import * as Module from "node:module"
import { type Any, isTransferred } from "../Task.ts"
import { addMovable, findUncloneable } from "./clone.ts"
import { importTaskModule } from "./importing.ts"
import { packNumbers } from "./pack.ts"
import * as P from "./protocol.ts"
import { setWorkerName } from "./identity.ts"
import type { ParentLink } from "./remote.ts"
import { lookup } from "./registry.ts"
import { encodeError, LibFailure } from "./wire.ts"

// Schema is loaded only for tasks with a contract (their modules load it
// anyway): a worker that runs plain tasks starts without it.
let Schema: typeof SchemaModule | undefined
const loadSchema = (): Promise<void> =>
  import("effect/Schema").then((module) => {
    Schema = module
  })

export interface ExecutorOptions {
  /** A worker (not the `fiber` method): shared objects it gets are remote when they come from a child's parent. */
  readonly worker?: boolean | undefined
  /** Sends a reply batch (moving `transfers`); may throw a DataCloneError. */
  readonly post: (batch: Array<unknown>, transfers?: ReadonlyArray<unknown>) => void
  /**
   * Runs an Effect handler's result and reports its Exit; returns a function
   * that interrupts it. (A worker loads Effect only when it first needs this.)
   */
  readonly run: Run
}

export interface Executor {
  readonly receive: (batch: ReadonlyArray<unknown>) => void
  /** Interrupts everything running (the `fiber` method's "kill"). */
  readonly interruptAll: () => void
  /** Queues a log line for the main program (worker side only). */
  readonly log: (level: string, message: unknown, annotations: Record<string, unknown>, date: number) => void
  /** Queues a relayed span's start or end for the main program (relay.ts). */
  readonly span: (status: number, record: ReadonlyArray<unknown>) => void
  /**
   * Whether the next message from the main program is what this worker
   * waits for: it runs nothing (the next task), or a task awaits the answer
   * to a request (a Manager call).
   */
  readonly expecting: () => boolean
}

type Shared = typeof import("./shared.ts")

export type Interrupt = () => void

/**
 * Runs an Effect handler's result, providing `services` (`[key, value, ...]`,
 * the task's declared services and the caller's trace context) if any, and
 * reports its Exit. `call` is the request's id (the spans it relays name it).
 */
export type Run = (
  effect: Effect.Effect<unknown, unknown>,
  onExit: (exit: Exit.Exit<unknown, unknown>) => void,
  services: ReadonlyArray<unknown> | undefined,
  call: number
) => Interrupt

interface Running {
  cancelled: boolean
  /** Interrupts the Effect being run, if any. */
  interrupt: Interrupt | undefined
}

/** Effect.isEffect without importing Effect (a worker may run plain functions only). */
export const isEffect = (u: unknown): u is Effect.Effect<unknown, unknown> =>
  u !== null && (typeof u === "object" || typeof u === "function") && "~effect/Effect" in (u as object)

export const makeExecutor = (options: ExecutorOptions): Executor => {
  const { post, run } = options
  const tasks = new Map<string, Any | Promise<Any>>()
  const running = new Map<number, Running>()
  let out: Array<unknown> = []
  let outKeys: Array<string> = []
  let outTransfers: Array<unknown> | undefined
  let scheduled = false

  const flush = () => {
    scheduled = false
    if (out.length === 0) return // posted early (see the parent link's flush)
    const batch = out
    const keys = outKeys
    const transfers = outTransfers
    out = []
    outKeys = []
    outTransfers = undefined
    try {
      post(batch, transfers)
    } catch {
      postEach(batch, keys)
    }
  }

  // A reply that cannot be cloned must not take the rest of its batch down:
  // replace it by a SerializationError naming the culprit and send the rest.
  const postEach = (batch: Array<unknown>, keys: Array<string>) => {
    for (let i = 0; i < batch.length; i += P.REPLY_STRIDE) {
      const triple = [batch[i], batch[i + 1], batch[i + 2]]
      try {
        post(triple)
      } catch {
        const bad = findUncloneable(batch[i + 2], "result")
        const direction = batch[i + 1] === P.S_OK ? "result" : "error"
        post([
          batch[i],
          P.S_LIB,
          new LibFailure("SerializationError", {
            task: keys[i / P.REPLY_STRIDE] ?? "?",
            direction,
            path: bad?.path ?? direction,
            valueType: bad?.valueType ?? "value that cannot be cloned"
          }).encoded
        ])
      }
    }
  }

  const push = (id: number, status: number, value: unknown, key: string) => {
    out.push(id, status, value)
    outKeys.push(key)
    if (!scheduled) {
      scheduled = true
      queueMicrotask(flush)
    }
  }

  /**
   * Queues a reply. A task's outcome waits until the queues it used in a
   * child process have settled (see remote.ts): what it offered is enqueued
   * before the caller hears of it, and a refusal it never saw fails it.
   */
  const reply = (id: number, status: number, value: unknown, key: string) => {
    if (id <= 0 || shared === undefined || !shared.active()) return push(id, status, value, key)
    const { R_ENDED } = shared
    shared.settle((refused) => {
      if (refused === undefined || status !== P.S_OK) return push(id, status, value, key)
      push(id, P.S_LIB, new LibFailure(refused === R_ENDED ? "QueueEnded" : "QueueShutdown", {}).encoded, key)
    })
  }

  const log: Executor["log"] = (level, message, annotations, date) => {
    reply(P.LOG_ID, level as any, [message, annotations, date], "log")
  }

  const span: Executor["span"] = (status, record) => push(P.SPAN_ID, status, record, "span")

  const load = (key: string): Any | Promise<Any> => {
    const cached = tasks.get(key) ?? lookup(key)
    if (cached !== undefined && (cached instanceof Promise || !cached.contract || Schema)) return cached
    const hash = key.lastIndexOf("#")
    const module = key.slice(0, hash)
    const name = key.slice(hash + 1)
    const loading = (options.worker ? importTaskModule(module) : import(module)).then(
      () => {
        const task = lookup(key)
        if (task === undefined) throw new LibFailure("TaskNotFound", { module, name })
        if (task.contract !== undefined && Schema === undefined) return loadSchema().then(() => found(task))
        return found(task)
      },
      (e) => {
        tasks.delete(key)
        throw new LibFailure("TaskModuleLoadError", {
          module,
          name,
          reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
          remoteStack: e instanceof Error ? e.stack : undefined
        })
      }
    )
    const found = (task: Any) => {
      tasks.set(key, task)
      return task
    }
    tasks.set(key, loading)
    return loading
  }

  // -- encoding of outcomes ------------------------------------------------

  const encodeSuccess = (task: Any, value: unknown): [number, unknown] => {
    if (isTransferred(value)) {
      outTransfers = addMovable(outTransfers, value.transferList)
      value = value.value
    }
    const schema = task.contract?.success
    if (schema === undefined) return [P.S_OK, value]
    try {
      return [P.S_OK, Schema!.encodeUnknownSync(schema)(value)]
    } catch (e) {
      return [P.S_DIE, encodeError(e)]
    }
  }

  const encodeFailure = (task: Any, error: unknown): [number, unknown] => {
    const schema = task.contract?.error
    if (schema !== undefined) {
      try {
        return [P.S_FAIL, Schema!.encodeUnknownSync(schema)(error)]
      } catch {
        // not one of the declared errors: send it as a plain error
      }
    }
    return [P.S_FAIL, encodeError(error)]
  }

  const encodeExit = (task: Any, exit: Exit.Exit<unknown, unknown>): [number, unknown] => {
    if (exit._tag === "Success") return encodeSuccess(task, exit.value)
    const cause = exit.cause
    for (const reason of cause.reasons) {
      if (reason._tag === "Fail") return encodeFailure(task, reason.error)
    }
    for (const reason of cause.reasons) {
      if (reason._tag === "Die") return [P.S_DIE, encodeError(reason.defect)]
    }
    return [P.S_INTERRUPTED, undefined]
  }

  const lib = (e: unknown): [number, unknown] =>
    e instanceof LibFailure ? [P.S_LIB, e.encoded] : [P.S_THROWN, encodeError(e)]

  // -- running one input ---------------------------------------------------

  const decodeArgs = (task: Any, args: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
    const schema = task.contract?.payload
    if (schema === undefined) return args
    try {
      return Schema!.decodeUnknownSync(schema)(args)
    } catch (e) {
      throw new LibFailure("InvalidPayload", { task: task.key, issue: String(e instanceof Error ? e.message : e) })
    }
  }

  /** Calls the handler; a throw (or a payload that does not decode) comes back as a failure. */
  const invoke = (task: Any, args: ReadonlyArray<unknown>): unknown =>
    task.handler.apply(undefined, decodeArgs(task, args) as Array<unknown>)

  const isAsync = (result: unknown): boolean =>
    result !== null && (typeof result === "object" || typeof result === "function") &&
    (isEffect(result) || typeof (result as any).then === "function")

  /** Waits for a Promise or runs an Effect (interruptible through `state`), then calls `done`. */
  const settle = (
    id: number,
    task: Any,
    result: unknown,
    state: Running,
    done: (status: number, value: unknown) => void,
    services?: ReadonlyArray<unknown>
  ): void => {
    if (isEffect(result)) {
      state.interrupt = run(result, (exit) => {
        state.interrupt = undefined
        const [s, v] = encodeExit(task, exit)
        done(s, v)
      }, services, id)
      return
    }
    ;(result as PromiseLike<unknown>).then(
      (value) => {
        if (state.cancelled) return
        const [s, v] = encodeSuccess(task, value)
        done(s, v)
      },
      (e) => {
        if (state.cancelled) return
        done(P.S_THROWN, encodeError(e))
      }
    )
  }

  // -- requests --------------------------------------------------------------

  const call = (id: number, key: string, task: Any, args: ReadonlyArray<unknown>, services?: ReadonlyArray<unknown>) => {
    let result: unknown
    try {
      result = invoke(task, args)
    } catch (e) {
      const [s, v] = lib(e)
      return reply(id, s, v, key)
    }
    if (!isAsync(result)) {
      const [s, v] = encodeSuccess(task, result)
      return reply(id, s, v, key)
    }
    const state: Running = { cancelled: false, interrupt: undefined }
    running.set(id, state)
    settle(id, task, result, state, (s, v) => {
      running.delete(id)
      if (!state.cancelled || s === P.S_INTERRUPTED) reply(id, s, v, key)
    }, services)
  }

  /**
   * Runs the inputs of a chunk one after another, as Python does. Plain
   * values take a tight loop (no allocation per input without a contract);
   * a Promise or an Effect suspends the loop until it completes.
   */
  const chunk = (
    id: number,
    key: string,
    task: Any,
    op: number,
    inputs: ReadonlyArray<unknown>,
    services?: ReadonlyArray<unknown>
  ) => {
    const star = P.isStarOp(op)
    const exits = P.isExitOp(op)
    const plain = task.contract === undefined
    const handler = task.handler
    const n = inputs.length
    const results: Array<unknown> = new Array(exits ? 2 * n : n)
    const state: Running = { cancelled: false, interrupt: undefined }
    let i = 0
    let tracked = false
    // whether every result so far is a plain number (then they cross packed)
    let numbers = true
    // Returns false when the chunk ended (failed fast).
    const record = (s: number, v: unknown): boolean => {
      if (exits) {
        results[2 * i] = s
        results[2 * i + 1] = v
        return true
      }
      if (s === P.S_OK) {
        results[i] = v
        return true
      }
      running.delete(id)
      reply(id, P.S_CHUNK_FAIL, [i, s, v], key)
      return false
    }
    const resume = (s: number, v: unknown) => {
      if (s === P.S_INTERRUPTED) {
        running.delete(id)
        return reply(id, P.S_INTERRUPTED, undefined, key)
      }
      if (state.cancelled) return
      if (record(s, v)) {
        i++
        step()
      }
    }
    const step = (): void => {
      for (; i < n; i++) {
        if (state.cancelled) return
        const input = inputs[i]
        let result: unknown
        try {
          result = plain
            ? (star ? handler.apply(undefined, input as Array<unknown>) : handler(input))
            : invoke(task, star ? input as ReadonlyArray<unknown> : [input])
        } catch (e) {
          const [s, v] = lib(e)
          if (!record(s, v)) return
          continue
        }
        if (isAsync(result)) {
          if (!tracked) {
            tracked = true
            running.set(id, state)
          }
          return settle(id, task, result, state, resume, services)
        }
        if (plain && !isTransferred(result)) {
          if (exits) {
            results[2 * i] = P.S_OK
            results[2 * i + 1] = result
          } else {
            results[i] = result
            if (typeof result !== "number") numbers = false
          }
        } else {
          numbers = false
          const [s, v] = encodeSuccess(task, result)
          if (!record(s, v)) return
        }
      }
      running.delete(id)
      const packed = numbers && !exits ? packNumbers(results, 0, n) : undefined
      if (packed !== undefined) (outTransfers ??= []).push(packed.buffer)
      reply(id, P.S_OK, packed ?? results, key)
    }
    step()
  }

  const interrupt = (id: number) => {
    const state = running.get(id)
    if (state === undefined) return // already answered
    state.cancelled = true
    if (state.interrupt !== undefined) {
      state.interrupt() // its onExit replies S_INTERRUPTED
    } else {
      running.delete(id)
      reply(id, P.S_INTERRUPTED, undefined, "")
    }
  }

  const dispatch = (op: number, id: number, key: string, data: unknown, task: Any, services?: ReadonlyArray<unknown>) => {
    if (op === P.OP_CALL || op === P.OP_INIT) call(id, key, task, data as ReadonlyArray<unknown>, services)
    else chunk(id, key, task, op, data as ReadonlyArray<unknown>, services)
  }

  let shared: Shared | undefined
  let sharedLoading: Promise<void> | undefined
  const loadShared = (): Promise<void> =>
    sharedLoading ??= import("./shared.ts").then((module) => {
      if (options.worker) module.setParentLink(parent)
      shared = module
    })

  // Requests to shared objects the main program owns, batched with the replies (child processes).
  const parent: ParentLink = {
    send: (request, object, op, data) => push(P.SHARED_ID, request, [object, op, data], "shared"),
    flush: () => flush(),
    cancel: (request) => push(P.SHARED_CANCEL_ID, request, undefined, "shared")
  }

  const receive = (batch: ReadonlyArray<unknown>) => {
    for (let j = 0; j < batch.length; j += P.REQUEST_STRIDE) {
      let op = batch[j] as number
      const id = batch[j + 1] as number
      if (op === P.OP_SHARED_NOTICE) {
        shared?.onNotice(id, batch[j + 3] as number)
        continue
      }
      if (op === P.OP_SHARED_REPLY) {
        const answer = batch[j + 3] as readonly [number, unknown]
        shared?.onReply(id, answer[0], answer[1])
        continue
      }
      if (op === P.OP_INTERRUPT) {
        interrupt(id)
        continue
      }
      if (op === P.OP_PING) {
        const data = batch[j + 3] as P.PingData | undefined
        if (Array.isArray(data)) {
          setWorkerName(data[0])
          // before any task's module is imported (see backend.ts): a directory
          // the main program's cache already uses
          if (typeof data[1] === "string") Module.enableCompileCache?.(data[1])
        }
        reply(id, P.S_OK, undefined, "")
        continue
      }
      const key = batch[j + 2] as string
      let data = batch[j + 3]
      const flags = op & (P.SHARED_FLAG | P.SERVICES_FLAG)
      op &= ~(P.SHARED_FLAG | P.SERVICES_FLAG)
      if (flags & P.SHARED_FLAG) {
        if (shared === undefined) {
          // the first shared object: load the machinery, then take this request again
          const state: Running = { cancelled: false, interrupt: undefined }
          running.set(id, state)
          const request = [batch[j], id, key, data]
          loadShared().then(() => {
            if (state.cancelled) return
            running.delete(id)
            receive(request)
          })
          continue
        }
        try {
          data = shared.revive(data)
        } catch (e) {
          const [s, v] = lib(e)
          reply(id, P.isChunkOp(op) ? P.S_CHUNK_FAIL : s, P.isChunkOp(op) ? [0, s, v] : v, key)
          continue
        }
      }
      let services: ReadonlyArray<unknown> | undefined
      if (flags & P.SERVICES_FLAG) {
        services = (data as ReadonlyArray<unknown>)[1] as ReadonlyArray<unknown>
        data = (data as ReadonlyArray<unknown>)[0]
      }
      const task = load(key)
      if (!(task instanceof Promise)) {
        dispatch(op, id, key, data, task, services)
        continue
      }
      const state: Running = { cancelled: false, interrupt: undefined }
      running.set(id, state)
      task.then(
        (task) => {
          if (state.cancelled) return
          running.delete(id)
          dispatch(op, id, key, data, task, services)
        },
        (e) => {
          if (state.cancelled) return
          running.delete(id)
          const [s, v] = lib(e)
          reply(id, P.isChunkOp(op) ? P.S_CHUNK_FAIL : s, P.isChunkOp(op) ? [0, s, v] : v, key)
        }
      )
    }
  }

  const interruptAll = () => {
    for (const id of Array.from(running.keys())) interrupt(id)
  }

  const expecting = () => running.size === 0 || (shared !== undefined && shared.awaiting())

  return { receive, log, span, interruptAll, expecting }
}
