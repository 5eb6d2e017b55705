/**
 * The pool's engine: a FIFO of jobs, one slot per worker, and the per-call
 * path. Everything here is plain synchronous code driven by replies and
 * submits; Effect appears only at the edges (the caller's `Effect.callback`,
 * the supervised worker incarnations), so a call costs no fiber of its own.
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Errors from "../errors.ts"
import type { Any } from "../Task.ts"
import { addMovable, findUncloneable, isCloneError } from "./clone.ts"
import { decodeExit } from "./decode.ts"
import { holderExited, releaseThread } from "./handles.ts"
import { type Host, makeHost } from "./host.ts"
import { JobTable } from "./jobTable.ts"
import * as P from "./protocol.ts"
import type { RelayTo } from "./relay.ts"

/** What became of a worker incarnation. */
export interface Death {
  readonly exitCode?: number | undefined
  readonly signal?: string | undefined
  readonly resourceLimit?: boolean | undefined
  readonly reason?: string | undefined
  /** The worker never reported ready (it failed while starting). */
  readonly atStartup: boolean
}

/** A started worker incarnation, as a backend hands it to its slot. */
export interface Link {
  /** Posts a request batch, moving `transfers`; throws when the batch cannot be cloned. */
  readonly post: (batch: Array<unknown>, transfers?: ReadonlyArray<unknown>) => void
  /** Ends the worker now (a stuck worker, or `terminate`); a child gets `signal` (default SIGKILL). */
  readonly kill: (signal?: NodeJS.Signals) => void
  /** Who the worker is, for diagnostics. */
  readonly identity: { readonly threadId: number; readonly pid: number }
}

export type Done = (status: number, value: unknown) => void
/** A job's outcome as an Exit, decoded here: what a caller's `resume` takes as it is (no closure per call). */
export type ExitDone = (exit: Exit.Exit<any, any>) => void

export interface Job {
  readonly id: number
  readonly op: number
  readonly task: Any
  readonly data: unknown
  /** Buffers to move to the worker with the request. */
  readonly transfer: ReadonlyArray<unknown> | undefined
  readonly done: Done | ExitDone
  /** `done` takes the decoded Exit. */
  readonly exits: boolean
  state: JobState
  slot: Slot | undefined
  /** Resumes the interrupted caller once the worker has let go of the job. */
  ack: (() => void) | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  /** Where the spans its worker relays go, if it asked for them. */
  readonly relay: RelayTo | undefined
  /** The source that made it, if any. */
  from: Source | undefined
}

/** Makes a job (what a `Source` is given to make its units with). */
export type MakeJob = (
  op: number,
  task: Any,
  data: unknown,
  done: Done | ExitDone,
  transfer: ReadonlyArray<unknown> | undefined,
  relay: RelayTo | undefined,
  exits: boolean
) => Job

/**
 * Many calls queued as one entry (a map's): each unit becomes its own job
 * only when a worker can take it. Made up front, 100,000 queued jobs outlive
 * V8's young generation and every scavenge copies them; made at dispatch,
 * each dies young.
 */
export interface Source {
  readonly source: true
  /** Units not yet made into jobs; 0 once stopped. */
  remaining: number
  /** The next unit's job (called only while `remaining > 0`); it decrements `remaining`. */
  readonly next: (make: MakeJob) => Job
  /** The pool failed or ended first: every unit not yet made gets `error`. */
  readonly fail: (error: Errors.PoolError) => void
}

const isSource = (entry: Job | Source): entry is Source => (entry as Source).source === true

export const JobState = { Queued: 0, Running: 1, Cancelling: 2, Finished: 3 } as const
export type JobState = typeof JobState[keyof typeof JobState]

export interface Slot {
  readonly index: number
  link: Link | undefined
  /** Ready for jobs: started, initialized, not retiring. */
  ready: boolean
  readonly inflight: JobTable<Job>
  outbox: Array<unknown>
  transfers: Array<unknown> | undefined
  /** Jobs being interrupted: while > 0 the slot takes no new work. */
  cancelling: number
  /** Jobs dispatched to this incarnation (for `maxTasksPerChild`). */
  dispatched: number
  retiring: boolean
  /** Adaptive pipelining: jobs allowed in flight, from the measured time per job. */
  depth: number
  perJob: number
  mark: number
  /** Retires the current incarnation gracefully (set by the supervisor). */
  retire: (() => void) | undefined
  /** Starts the successor of a worker that will retire (set by the supervisor). */
  prepare: (() => void) | undefined
  /** Serves the worker's requests to shared objects (child processes), made on the first one. */
  host: Host | undefined
}

export interface SchedulerOptions {
  readonly processes: number
  readonly maxTasksPerChild: number | undefined
  readonly interruptGrace: number
  readonly initializer: { readonly task: Any; readonly args: ReadonlyArray<unknown> } | undefined
  readonly onLog: (slot: number, level: string, entry: ReadonlyArray<unknown>) => void
  /** A span's start or end, relayed by a worker (relay.ts), with the `relay` of the call it names, if in flight. */
  readonly onSpan: (slot: number, status: number, record: ReadonlyArray<unknown>, call: RelayTo | undefined) => void
  /** A slot's worker is gone, or being stopped with the pool (called before its calls fail). */
  readonly onWorkerGone: (slot: number) => void
}

export type PoolState = "running" | "closed" | "terminated" | "broken"

// A job that takes this long (ms) should have one successor waiting behind it
// on its worker: enough to hide the round trip, short enough to balance.
const PIPELINE_MS = 0.5
const MAX_DEPTH = 256

export const makeScheduler = (options: SchedulerOptions) => {
  const slots: Array<Slot> = []
  for (let i = 0; i < options.processes; i++) {
    slots.push({
      index: i,
      link: undefined,
      ready: false,
      inflight: new JobTable(),
      outbox: [],
      transfers: undefined,
      cancelling: 0,
      dispatched: 0,
      retiring: false,
      depth: 1,
      perJob: 0,
      mark: 0,
      retire: undefined,
      prepare: undefined,
      host: undefined
    })
  }
  let queue: Array<Job | Source> = []
  let head = 0
  let nextId = 1
  let state: PoolState = "running"
  let brokenBy: Errors.PoolError | undefined
  let flushScheduled = false
  const idle = Deferred.makeUnsafe<void>()
  /**
   * Done when one slot can take jobs, or the pool broke first: the other
   * workers finish booting meanwhile (as Python's Pool returns before its
   * workers are up), and jobs wait in the queue for them. With an
   * initializer, when every slot has run it, so that a failing initializer
   * fails Pool.make.
   */
  const started = Deferred.makeUnsafe<void, Errors.PoolError>()
  const startedAfter = options.initializer === undefined ? 1 : slots.length
  /** Done when every slot has started once, or the pool stopped first (what `pool.workers` waits for). */
  const allStarted = Deferred.makeUnsafe<void>()
  const everStarted = new Set<number>()

  // a source at the head counts its units (the sources behind it count one each)
  const queued = () => {
    const first = queue[head]
    return queue.length - head + (first !== undefined && isSource(first) ? first.remaining - 1 : 0)
  }

  // -- sending -----------------------------------------------------------------

  const flush = () => {
    flushScheduled = false
    for (const slot of slots) {
      const batch = slot.outbox
      if (batch.length === 0 || slot.link === undefined) continue
      const transfers = slot.transfers
      slot.outbox = []
      slot.transfers = undefined
      try {
        slot.link.post(batch, transfers)
      } catch {
        postEach(slot, batch)
      }
    }
  }

  // One request could not be cloned: send the others one by one and fail the
  // culprits with a SerializationError naming the value.
  const postEach = (slot: Slot, batch: Array<unknown>) => {
    for (let i = 0; i < batch.length; i += P.REQUEST_STRIDE) {
      const single = batch.slice(i, i + P.REQUEST_STRIDE)
      try {
        slot.link!.post(single, slot.inflight.get(batch[i + 1] as number)?.transfer)
      } catch (e) {
        // A closed channel is not the request's fault: the job stays and
        // fails with WorkerDied when the worker's death is noticed.
        if (!isCloneError(e)) continue
        const job = slot.inflight.get(batch[i + 1] as number)
        if (job === undefined) continue
        unassign(slot, job)
        finish(job, P.S_LOCAL, serializationError(job))
      }
    }
  }

  const serializationError = (job: Job) => {
    // the arguments, without the services and trace context sealed beside them
    const args = job.op & P.SERVICES_FLAG ? (job.data as ReadonlyArray<unknown>)[0] : job.data
    const bad = findUncloneable(args, "args")
    return new Errors.SerializationError({
      task: job.task.key,
      direction: "argument",
      path: bad?.path ?? "args",
      valueType: bad?.valueType ?? "value that cannot be cloned"
    })
  }

  const enqueueOp = (
    slot: Slot,
    op: number,
    id: number,
    key: string,
    data: unknown,
    transfer?: ReadonlyArray<unknown>
  ) => {
    slot.outbox.push(op, id, key, data)
    if (transfer !== undefined) slot.transfers = addMovable(slot.transfers, transfer)
    if (!flushScheduled) {
      flushScheduled = true
      queueMicrotask(flush)
    }
  }

  // -- dispatching -------------------------------------------------------------

  // Ties go to the worker that went idle last, then round the slots.
  let turn = 0
  const pickSlot = (): Slot | undefined => {
    let best: Slot | undefined
    let bestFree = 0
    const n = slots.length
    // With a backlog, a worker holds one task beyond the one it runs, so that
    // it never idles for a round trip between long tasks; near the end of the
    // backlog it does not, so that no task waits behind a long one.
    const least = queued() > n ? 2 : 1
    for (let k = 0; k < n; k++) {
      const s = slots[(turn + k) % n]
      if (!s.ready || s.cancelling > 0) continue
      const free = Math.max(s.depth, least) - s.inflight.size
      if (free > bestFree) {
        best = s
        bestFree = free
      }
    }
    if (best !== undefined) turn = (best.index + 1) % n
    return best
  }

  const assign = (slot: Slot, job: Job) => {
    job.state = JobState.Running
    job.slot = slot
    if (slot.inflight.size === 0) slot.mark = performance.now()
    slot.inflight.set(job.id, job)
    slot.dispatched++
    if (options.maxTasksPerChild !== undefined && slot.dispatched >= options.maxTasksPerChild) {
      // Take no more work; retire once what is in flight has finished.
      slot.ready = false
      slot.retiring = true
      slot.prepare?.()
    }
    enqueueOp(slot, job.op, job.id, job.task.key, job.data, job.transfer)
  }

  const unassign = (slot: Slot, job: Job) => {
    slot.inflight.delete(job.id)
    job.slot = undefined
    // a thread worker that has just gone idle polls for its next task for a
    // while (worker.ts): the next call goes to it first
    if (slot.inflight.size === 0) turn = slot.index
    if (slot.retiring && slot.inflight.size === 0) slot.retire?.()
  }

  const pump = () => {
    while (head < queue.length) {
      const job = queue[head]
      if (isSource(job)) {
        if (job.remaining === 0) {
          queue[head++] = undefined as any
          continue
        }
        const slot = pickSlot()
        if (slot === undefined) break
        const unit = job.next(makeJob)
        unit.from = job
        assign(slot, unit)
        continue
      }
      if (job.state !== JobState.Queued) {
        queue[head++] = undefined as any
        continue
      }
      const slot = pickSlot()
      if (slot === undefined) break
      queue[head++] = undefined as any
      assign(slot, job)
    }
    if (head === queue.length) {
      queue = []
      head = 0
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head)
      head = 0
    }
    checkIdle()
  }

  /** Whether a slot whose worker ended should start another. */
  const needsWorkers = (): boolean => {
    if (state === "running") return true
    if (state !== "closed") return false
    if (queued() > 0) return true
    for (const s of slots) if (s.inflight.size > 0) return true
    return false
  }

  const checkIdle = () => {
    if (state !== "closed" || queued() > 0) return
    for (const s of slots) if (s.inflight.size > 0) return
    Deferred.doneUnsafe(idle, Exit.void)
    // a closed pool starts no more workers
    Deferred.doneUnsafe(allStarted, Exit.void)
  }

  // -- completing --------------------------------------------------------------

  const complete = (done: Done | ExitDone, exits: boolean, task: Any, status: number, value: unknown) => {
    if (exits) (done as ExitDone)(decodeExit(task, status, value))
    else (done as Done)(status, value)
  }

  const finish = (job: Job, status: number, value: unknown) => {
    const previous = job.state
    job.state = JobState.Finished
    if (previous === JobState.Cancelling) {
      if (job.timer !== undefined) clearTimeout(job.timer)
      job.ack?.()
      return
    }
    complete(job.done, job.exits, job.task, status, value)
  }

  /** A worker's request to a shared object of the main program, or its withdrawal. */
  const serve = (slot: Slot, id: number, request: number, entry: readonly [number, number, unknown]) => {
    const host = slot.host ??= makeHost(
      (request, status, value) => enqueueOp(slot, P.OP_SHARED_REPLY, request, "", [status, value]),
      (object, status) => enqueueOp(slot, P.OP_SHARED_NOTICE, object, "", status)
    )
    if (id === P.SHARED_ID) host.request(request, entry[0], entry[1], entry[2])
    else host.cancel(request)
  }

  /** A reply batch from the worker of `slot`. */
  const receive = (slot: Slot, batch: ReadonlyArray<unknown>) => {
    // Read before finishing jobs: a caller resumed by `finish` may submit at
    // once, and assigning to an empty slot moves its mark.
    const mark = slot.mark
    let completed = 0
    for (let i = 0; i < batch.length; i += P.REPLY_STRIDE) {
      const id = batch[i] as number
      if (id === P.LOG_ID) {
        options.onLog(slot.index, batch[i + 1] as string, batch[i + 2] as ReadonlyArray<unknown>)
        continue
      }
      if (id === P.SPAN_ID) {
        // a span started directly under a call names the call's request id
        const record = batch[i + 2] as ReadonlyArray<unknown>
        const under = record[1]
        const call = typeof under === "number" ? slot.inflight.get(under)?.relay : undefined
        try {
          options.onSpan(slot.index, batch[i + 1] as number, record, call)
        } catch {
          // a tracer that throws loses its span, not the calls in this batch
        }
        continue
      }
      if (id === P.SHARED_ID || id === P.SHARED_CANCEL_ID) {
        serve(slot, id, batch[i + 1] as number, batch[i + 2] as readonly [number, number, unknown])
        continue
      }
      const job = slot.inflight.get(id)
      if (job === undefined) continue
      completed++
      if (job.state === JobState.Cancelling) slot.cancelling--
      unassign(slot, job)
      finish(job, batch[i + 1] as number, batch[i + 2])
    }
    if (completed > 0) {
      const now = performance.now()
      const per = (now - mark) / completed
      slot.mark = now
      slot.perJob = slot.perJob === 0 ? per : 0.7 * slot.perJob + 0.3 * per
      // at most doubling per batch: one fast sample must not pile the queue on one worker
      const target = Math.floor(PIPELINE_MS / slot.perJob) + 1
      slot.depth = Math.max(1, Math.min(MAX_DEPTH, 2 * slot.depth, target))
      pump()
    }
  }

  // -- submitting and interrupting ---------------------------------------------

  const notRunning = (): Errors.PoolError =>
    brokenBy ?? new Errors.PoolNotRunning({ state: state === "running" ? "closed" : state })

  const makeJob: MakeJob = (op, task, data, done, transfer, relay, exits) => ({
    id: nextId++,
    op,
    task,
    data,
    transfer,
    done,
    exits,
    state: JobState.Queued,
    slot: undefined,
    ack: undefined,
    timer: undefined,
    relay,
    from: undefined
  })

  /**
   * Queues a job; `undefined` when the pool refuses it (`done` was called).
   * With `exits`, `done` takes the outcome as an Exit.
   */
  const submit = (
    op: number,
    task: Any,
    data: unknown,
    done: Done | ExitDone,
    transfer?: ReadonlyArray<unknown>,
    relay?: RelayTo,
    exits = false
  ): Job | undefined => {
    if (state !== "running") {
      complete(done, exits, task, P.S_LOCAL, notRunning())
      return undefined
    }
    const job = makeJob(op, task, data, done, transfer, relay, exits)
    if (head === queue.length) {
      const slot = pickSlot()
      if (slot !== undefined) {
        assign(slot, job)
        return job
      }
    }
    queue.push(job)
    return job
  }

  /** Queues a source's units behind what is queued; `false` when the pool refuses it (`fail` was called). */
  const submitSource = (source: Source): boolean => {
    if (state !== "running") {
      source.fail(notRunning())
      return false
    }
    queue.push(source)
    pump()
    return true
  }

  /** A source's owner was interrupted: it makes no more jobs, and those running are cancelled (`cancel`). */
  const cancelSource = (source: Source): Effect.Effect<void> =>
    Effect.suspend(() => {
      source.remaining = 0
      const running: Array<Job> = []
      for (const slot of slots) for (const job of slot.inflight.values()) if (job.from === source) running.push(job)
      return Effect.forEach(running, cancel, { concurrency: "unbounded", discard: true })
    })

  /**
   * The caller was interrupted: withdraw a queued job, or ask the worker to
   * interrupt a running one and wait until it has (a worker still stuck after
   * the grace period is terminated; its slot takes no work meanwhile).
   */
  const cancel = (job: Job): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (job.state === JobState.Queued) {
        job.state = JobState.Finished
        return Effect.void
      }
      if (job.state !== JobState.Running) return Effect.void
      const slot = job.slot!
      job.state = JobState.Cancelling
      slot.cancelling++
      enqueueOp(slot, P.OP_INTERRUPT, job.id, "", undefined)
      return Effect.callback<void>((resume) => {
        if (job.state === JobState.Finished) return resume(Effect.void)
        job.ack = () => resume(Effect.void)
        job.timer = setTimeout(() => {
          if (job.state === JobState.Cancelling && job.slot === slot) slot.link?.kill()
        }, options.interruptGrace)
      })
    })

  // -- worker incarnations -----------------------------------------------------

  /** A worker incarnation is up: initialize it, then let it take work. */
  const attach = (slot: Slot, link: Link) => {
    slot.link = link
    slot.dispatched = 0
    slot.retiring = false
    slot.depth = 1
    slot.perJob = 0
    const init = options.initializer
    if (init === undefined) return becomeReady(slot)
    slot.ready = false
    const job = makeJob(P.OP_INIT, init.task, init.args, (status, value) => {
      if (status === P.S_OK) return becomeReady(slot)
      const exit = decodeExit(init.task, status, value)
      const error = exit._tag === "Failure" ? Cause.squash(exit.cause) : undefined
      breakWith(
        new Errors.InitializerFailed({
          task: init.task.key,
          reason: error instanceof Error ? error.message : String(error),
          remoteStack: error instanceof Error ? ((error as any).remoteStack ?? error.stack) : undefined
        })
      )
    }, undefined, undefined, false)
    job.state = JobState.Running
    job.slot = slot
    slot.inflight.set(job.id, job)
    enqueueOp(slot, job.op, job.id, job.task.key, job.data)
  }

  const becomeReady = (slot: Slot) => {
    if (state === "broken" || state === "terminated") return
    slot.ready = state === "running" || (state === "closed" && queued() > 0)
    everStarted.add(slot.index)
    if (everStarted.size === startedAfter) Deferred.doneUnsafe(started, Exit.void)
    if (everStarted.size === slots.length) Deferred.doneUnsafe(allStarted, Exit.void)
    pump()
  }

  /** The incarnation ended: the jobs it held fail with `WorkerDied`. */
  const detach = (slot: Slot, death: Death) => {
    // What the dead worker held or waited for in shared objects is let go.
    const held = slot.host?.held() ?? 0
    const released = slot.host?.releaseAll() ?? []
    slot.host = undefined
    if (slot.link !== undefined && slot.link.identity.threadId !== 0 && slot.link.identity.pid === process.pid) {
      released.push(...releaseThread(slot.link.identity.threadId))
    }
    slot.ready = false
    slot.link = undefined
    slot.outbox = []
    slot.transfers = undefined
    slot.cancelling = 0
    const jobs = Array.from(slot.inflight.values())
    slot.inflight.clear()
    // what it was tracing ends before its callers hear of its death (they may resume at once)
    options.onWorkerGone(slot.index)
    for (const job of jobs) {
      job.slot = undefined
      // what the dead worker was given dies with it (a pipe end is closed)
      if (job.op & P.SHARED_FLAG) holderExited(job.data)
      const error = new Errors.WorkerDied({
        worker: slot.index,
        exitCode: death.exitCode,
        signal: death.signal,
        resourceLimit: death.resourceLimit ?? false,
        reason: death.reason,
        task: job.task.key,
        heldItems: held > 0 ? held : undefined,
        released: released.length > 0 ? released : undefined
      })
      finish(job, P.S_LOCAL, error)
    }
    checkIdle()
  }

  /** Stops accepting work and fails everything queued or running with `error`. */
  // The error is made only if some job gets it: a Schema error class is
  // compiled on its first construction, which an idle terminate need not pay.
  const failAll = (makeError: () => Errors.PoolError) => {
    let error: Errors.PoolError | undefined
    const fail = (job: Job) => finish(job, P.S_LOCAL, error ??= makeError())
    for (let i = head; i < queue.length; i++) {
      const job = queue[i]
      if (job === undefined) continue
      if (isSource(job)) {
        if (job.remaining > 0) job.fail(error ??= makeError())
      } else if (job.state === JobState.Queued) fail(job)
    }
    queue = []
    head = 0
    for (const slot of slots) {
      slot.ready = false
      // its worker is being stopped: what it was tracing ends first, as at its death
      if (slot.inflight.size > 0) options.onWorkerGone(slot.index)
      for (const job of slot.inflight.values()) {
        // what it was given goes with it
        if (job.op & P.SHARED_FLAG) holderExited(job.data)
        fail(job)
      }
      slot.inflight.clear()
    }
  }

  /** The initializer failed, or workers cannot start: fail everything once, stop every worker. */
  const breakWith = (error: Errors.PoolError) => {
    if (state === "broken" || state === "terminated") return
    state = "broken"
    brokenBy = error
    Deferred.doneUnsafe(started, Exit.fail(error))
    Deferred.doneUnsafe(allStarted, Exit.void)
    failAll(() => error)
    for (const slot of slots) slot.link?.kill()
  }

  return {
    slots,
    needsWorkers,
    submit,
    submitSource,
    cancelSource,
    cancel,
    receive,
    attach,
    detach,
    get state() {
      return state
    },
    /** `close`: no new work; what is queued and running finishes. */
    close: () => {
      if (state !== "running") return
      state = "closed"
      pump()
    },
    /** Resolves once a closed pool has run everything it had. */
    idle: Deferred.await(idle),
    terminate: () => {
      if (state === "terminated") return
      if (state !== "broken") state = "terminated"
      Deferred.doneUnsafe(allStarted, Exit.void)
      failAll(() => new Errors.PoolNotRunning({ state: "terminated" }))
      for (const slot of slots) slot.link?.kill()
    },
    breakWith,
    started: Deferred.await(started),
    allStarted: Deferred.await(allStarted)
  }
}

export type Scheduler = ReturnType<typeof makeScheduler>
