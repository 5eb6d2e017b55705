/**
 * The main program's side of shared objects used by a child process: it
 * executes the child's requests on the objects it owns and posts the answers
 * back. One host per worker incarnation; when the worker dies, what it was
 * waiting for is withdrawn (`releaseAll`), so no item is taken for a dead
 * consumer after its death is known.
 */
import { type Cancel, KIND, kindOf, live, R_CANCELLED, R_SHUTDOWN, releaseToken, setStateListener } from "./handles.ts"

export interface Host {
  readonly request: (request: number, object: number, op: number, data: unknown) => void
  readonly cancel: (request: number) => void
  /** Withdraws the child's waits and releases what it held: the names of what it held. */
  readonly releaseAll: () => Array<string>
  /** Items the child holds (taken in batches, not reported used): lost if it dies. */
  readonly held: () => number
}

interface Served {
  /** Objects this child has used. */
  readonly objects: Set<number>
  readonly notice: (object: number, status: number) => void
}

const hosts = new Set<Served>()
let nextToken = 1

// An object that ends or shuts down tells every child that used it, so that a
// child refuses an offer after `Queue.end` at once, as a thread does.
setStateListener((object, status) => {
  for (const host of hosts) if (host.objects.has(object)) host.notice(object, status)
})

export const makeHost = (
  post: (request: number, status: number, value: unknown) => void,
  notice: (object: number, status: number) => void
): Host => {
  const waiting = new Map<number, Cancel>()
  const served: Served = { objects: new Set(), notice }
  let held = 0
  // The child acts under this token (locks it takes record it), released when it dies.
  const token = -(nextToken++)
  hosts.add(served)
  return {
    request: (request, object, op, data) => {
      served.objects.add(object)
      const target = live.get(object)
      if (target === undefined) return post(request, R_SHUTDOWN, undefined)
      let answered = false
      const count = kindOf(target[KIND]).held
      const cancel = target.request(op, data, (status, value) => {
        answered = true
        waiting.delete(request)
        if (count !== undefined) held += count(op, data, status, value)
        post(request, status, value)
      }, token)
      if (cancel !== undefined && !answered) waiting.set(request, cancel)
    },
    cancel: (request) => {
      const cancel = waiting.get(request)
      if (cancel === undefined) return // answered already: the child undoes it if it must
      waiting.delete(request)
      cancel(() => post(request, R_CANCELLED, undefined))
    },
    held: () => held,
    releaseAll: () => {
      hosts.delete(served)
      for (const cancel of waiting.values()) cancel(() => {})
      waiting.clear()
      return releaseToken(token)
    }
  }
}
