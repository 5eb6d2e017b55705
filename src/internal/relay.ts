/**
 * The spans a task makes in a worker, relayed to the main program's tracer.
 *
 * A call made under an installed tracer carries, with its trace context, a
 * request to relay (callSpan.ts). The worker then runs an Effect handler with
 * a tracer of its own that makes Effect's in-memory spans and sends each one's
 * start and end to the main program, with the replies; there they are made
 * again through the caller's tracer, each under its parent: the call's span
 * (found through the call, which is in flight while its spans start), or the
 * relayed span it was started in. So a trace shows the work done in a worker
 * as children of `Pool.apply`, with its attributes, events and outcome, and no
 * tracer needs installing in a worker (as log lines reach the main program's
 * logger). Only spans cost anything: a call whose task makes none adds no
 * record, and nothing is relayed under the default tracer.
 *
 * Records (`status`, `value` of a reply whose id is `SPAN_ID`):
 * - `SPAN_START`: `[spanId, parent, name, startTime, kind, sampled]`, where
 *   `parent` is the relayed parent's span id, or the call's request id (a
 *   number) for a span made directly under the call
 * - `SPAN_END`: `[spanId, endTime, attributes, events, outcome, message]`
 *   with `attributes` as `[key, value, ...]`, `events` as
 *   `[name, time, attributes, ...]`, and `outcome` one of `OUTCOME_*`.
 * Times are Effect's clock in nanoseconds (`bigint`, which both the
 * structured clone and a child's advanced serialization carry).
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { findUncloneable } from "./clone.ts"

export const SPAN_START = 0
export const SPAN_END = 1

const OUTCOME_SUCCESS = 0
const OUTCOME_FAILURE = 1
const OUTCOME_INTERRUPT = 2

/** What a worker sends (status, record). */
export type Send = (status: number, record: ReadonlyArray<unknown>) => void

const cloneable = (value: unknown): unknown => findUncloneable(value, "") === undefined ? value : String(value)

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): readonly [number, string | undefined] => {
  if (Exit.isSuccess(exit)) return [OUTCOME_SUCCESS, undefined]
  if (exit.cause.reasons.every((reason) => reason._tag === "Interrupt")) return [OUTCOME_INTERRUPT, undefined]
  const reason = exit.cause.reasons.find((reason) => reason._tag !== "Interrupt")!
  const error = reason._tag === "Fail" ? reason.error : reason._tag === "Die" ? reason.defect : undefined
  return [OUTCOME_FAILURE, error instanceof Error ? `${error.name}: ${error.message}` : String(error)]
}

/** Effect's in-memory span, which also sends its start and end. */
class RelaySpan extends Tracer.NativeSpan {
  private readonly send: Send

  constructor(options: ConstructorParameters<typeof Tracer.NativeSpan>[0], send: Send, call: number, callSpan: unknown) {
    super(options)
    this.send = send
    const parent = Option.getOrUndefined(options.parent)
    const under = parent === callSpan ? call : parent?.spanId
    send(SPAN_START, [this.spanId, under, options.name, options.startTime, options.kind, options.sampled])
  }

  override end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    if (this.status._tag === "Ended") return
    super.end(endTime, exit)
    const attributes: Array<unknown> = []
    for (const [key, value] of this.attributes) attributes.push(key, cloneable(value))
    const events: Array<unknown> = []
    for (const [name, time, eventAttributes] of this.events) events.push(name, time, cloneable(eventAttributes))
    this.send(SPAN_END, [this.spanId, endTime, attributes, events, ...outcomeOf(exit)])
  }
}

/** Worker side: the tracer a relaying call's handler runs with, under `callSpan` (the call's external parent). */
export const relayTracer = (send: Send, call: number, callSpan: Tracer.AnySpan): Tracer.Tracer =>
  Tracer.make({ span: (options) => new RelaySpan(options, send, call, callSpan) })

/** What the spans relayed for one call go under: its span, and the tracer it was made with. */
export interface RelayTo {
  readonly span: Tracer.AnySpan
  readonly tracer: Tracer.Tracer
}

/**
 * Main side: remakes the spans workers relay. `call` is where the spans of
 * the call a record names go (its `RelayTo`, which the pool finds from the
 * call's request id: undefined once the call is over).
 */
export interface Replay {
  readonly receive: (slot: number, status: number, record: ReadonlyArray<unknown>, call: RelayTo | undefined) => void
  /** The worker of `slot` is gone or being stopped: the spans it left open end, failed. */
  readonly workerGone: (slot: number) => void
}

interface Relayed {
  readonly span: Tracer.Span
  readonly tracer: Tracer.Tracer
  /** The worker's id of the relayed span it was started in. */
  readonly parent: string | undefined
  /** The pool's slot whose worker made it. */
  readonly slot: number
  /** Itself while open, plus its open children. */
  users: number
  /** Ended (a tracer's own span need not say so in its status). */
  ended: boolean
}

export const makeReplay = (): Replay => {
  // the spans remade for workers' spans, by the worker's span id, while they or a child are open
  const entries = new Map<string, Relayed>()
  const release = (key: string | undefined) => {
    const entry = key === undefined ? undefined : entries.get(key)
    if (entry !== undefined && --entry.users === 0) entries.delete(key!)
  }
  const start = (slot: number, record: ReadonlyArray<unknown>, call: RelayTo | undefined) => {
    const [key, under, name, startTime, kind, sampled] = record as [
      string,
      string | number | undefined,
      string,
      bigint,
      Tracer.SpanKind,
      boolean
    ]
    const relayed = typeof under === "string" ? entries.get(under) : undefined
    const parent = typeof under === "number" ? call : relayed
    if (parent === undefined) return // its call is over: nothing to put it under
    if (relayed !== undefined) relayed.users++
    const span = parent.tracer.span({
      name,
      parent: Option.some(parent.span),
      annotations: Context.empty(),
      links: [],
      startTime,
      kind,
      root: false,
      sampled
    })
    entries.set(key, {
      span,
      tracer: parent.tracer,
      parent: relayed === undefined ? undefined : under as string,
      slot,
      users: 1,
      ended: false
    })
  }
  const end = (record: ReadonlyArray<unknown>) => {
    const [key, endTime, attributes, events, outcome, message] = record as [
      string,
      bigint,
      ReadonlyArray<unknown>,
      ReadonlyArray<unknown>,
      number,
      string | undefined
    ]
    const entry = entries.get(key)
    if (entry === undefined || entry.ended) return
    const span = entry.span
    for (let i = 0; i < attributes.length; i += 2) span.attribute(attributes[i] as string, attributes[i + 1])
    for (let i = 0; i < events.length; i += 3) {
      span.event(events[i] as string, events[i + 1] as bigint, events[i + 2] as Record<string, unknown>)
    }
    close(key, entry, endTime, outcome, message)
  }
  const close = (key: string, entry: Relayed, endTime: bigint, outcome: number, message: string | undefined) => {
    entry.ended = true
    entry.span.end(
      endTime,
      outcome === OUTCOME_SUCCESS
        ? Exit.void
        : outcome === OUTCOME_INTERRUPT
        ? Exit.interrupt()
        : Exit.fail(new RelayedFailure(message ?? "failed"))
    )
    release(key)
    release(entry.parent)
  }
  return {
    receive: (slot, status, record, call) => status === SPAN_START ? start(slot, record, call) : end(record),
    workerGone: (slot) => {
      // the time Effect's default clock gives (what the worker's spans were timed with)
      const now = Clock.Clock.defaultValue().currentTimeNanosUnsafe()
      for (const [key, entry] of entries) {
        if (entry.slot === slot && !entry.ended) {
          close(key, entry, now, OUTCOME_FAILURE, "its worker exited before it ended")
        }
      }
    }
  }
}

/** The failure a relayed span ended with, as its worker described it. */
export class RelayedFailure extends Error {
  override readonly name = "RelayedFailure"
}
