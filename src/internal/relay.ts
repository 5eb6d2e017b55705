/**
 * The spans a task makes in a worker, relayed to the main program's tracer.
 *
 * A call made under an installed tracer carries, with its trace context, a
 * request to relay (callSpan.ts). The worker then runs an Effect handler with
 * a tracer of its own that makes Effect's in-memory spans and sends each one's
 * start and end to the main program, with the replies; there they are made
 * again through the caller's tracer, each under its parent: the call's span,
 * or the relayed span it was started in. So a trace shows the work done in a
 * worker as children of `Pool.apply`, with its attributes, events and outcome,
 * and no tracer needs installing in a worker (as log lines reach the main
 * program's logger). Only tracing callers pay: nothing is relayed otherwise.
 *
 * Records (`status`, `value` of a reply whose id is `SPAN_ID`):
 * - `SPAN_START`: `[spanId, parentSpanId, name, startTime, kind, sampled]`
 * - `SPAN_END`: `[spanId, endTime, attributes, events, outcome, message]`
 *   with `attributes` as `[key, value, ...]`, `events` as
 *   `[name, time, attributes, ...]`, and `outcome` one of `OUTCOME_*`.
 * Times are Effect's clock in nanoseconds (`bigint`, which both the
 * structured clone and a child's advanced serialization carry).
 */
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

  constructor(options: ConstructorParameters<typeof Tracer.NativeSpan>[0], send: Send) {
    super(options)
    this.send = send
    const parent = Option.getOrUndefined(options.parent)
    send(SPAN_START, [this.spanId, parent?.spanId, options.name, options.startTime, options.kind, options.sampled])
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

/** Worker side: the tracer a relaying call's handler runs with. */
export const relayTracer = (send: Send): Tracer.Tracer =>
  Tracer.make({ span: (options) => new RelaySpan(options, send) })

/** Main side: remakes the spans workers relay, through the tracer of the call they belong to. */
export interface Replay {
  /** A relaying call is in flight under `span`: spans started there go under it. */
  readonly expect: (span: Tracer.Span, tracer: Tracer.Tracer) => void
  /** That call has finished (what it started and ends later still comes through). */
  readonly forget: (span: Tracer.Span) => void
  readonly receive: (status: number, record: ReadonlyArray<unknown>) => void
}

interface Relayed {
  readonly span: Tracer.Span
  readonly tracer: Tracer.Tracer
  /** The key of the entry it was started under (remade spans). */
  readonly parent: string | undefined
  /** Calls in flight under it (a call's span), or itself while open; plus its open children. */
  users: number
}

export const makeReplay = (): Replay => {
  // relaying calls' spans by their span id, and the spans remade for workers' spans by the worker's span id
  const entries = new Map<string, Relayed>()
  const release = (key: string | undefined) => {
    const entry = key === undefined ? undefined : entries.get(key)
    if (entry !== undefined && --entry.users === 0) entries.delete(key!)
  }
  const start = (record: ReadonlyArray<unknown>) => {
    const [key, parentKey, name, startTime, kind, sampled] = record as [
      string,
      string | undefined,
      string,
      bigint,
      Tracer.SpanKind,
      boolean
    ]
    const parent = parentKey === undefined ? undefined : entries.get(parentKey)
    if (parent === undefined) return // the call that asked is gone: nothing to put it under
    parent.users++
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
    entries.set(key, { span, tracer: parent.tracer, parent: parentKey, users: 1 })
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
    if (entry === undefined) return
    const span = entry.span
    for (let i = 0; i < attributes.length; i += 2) span.attribute(attributes[i] as string, attributes[i + 1])
    for (let i = 0; i < events.length; i += 3) {
      span.event(events[i] as string, events[i + 1] as bigint, events[i + 2] as Record<string, unknown>)
    }
    span.end(
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
    expect: (span, tracer) => {
      const entry = entries.get(span.spanId)
      if (entry !== undefined) entry.users++
      else entries.set(span.spanId, { span, tracer, parent: undefined, users: 1 })
    },
    forget: (span) => release(span.spanId),
    receive: (status, record) => status === SPAN_START ? start(record) : end(record)
  }
}

/** The failure a relayed span ended with, as its worker described it. */
export class RelayedFailure extends Error {
  override readonly name = "RelayedFailure"
}
