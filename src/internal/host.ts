/**
 * The main program's side of shared objects used by a child process: it
 * executes the child's requests on the objects it owns and posts the answers
 * back. One host per worker incarnation; when the worker dies, what it was
 * waiting for is withdrawn (`releaseAll`), so no item is taken for a dead
 * consumer after its death is known.
 */
import { type Cancel, live, R_CANCELLED, R_SHUTDOWN } from "./handles.ts"

export interface Host {
  readonly request: (request: number, object: number, op: number, data: unknown) => void
  readonly cancel: (request: number) => void
  readonly releaseAll: () => void
}

export const makeHost = (post: (request: number, status: number, value: unknown) => void): Host => {
  const waiting = new Map<number, Cancel>()
  return {
    request: (request, object, op, data) => {
      const target = live.get(object)
      if (target === undefined) return post(request, R_SHUTDOWN, undefined)
      let answered = false
      const cancel = target.request(op, data, (status, value) => {
        answered = true
        waiting.delete(request)
        post(request, status, value)
      })
      if (cancel !== undefined && !answered) waiting.set(request, cancel)
    },
    cancel: (request) => {
      const cancel = waiting.get(request)
      if (cancel === undefined) return // answered already: the child undoes it if it must
      waiting.delete(request)
      cancel(() => post(request, R_CANCELLED, undefined))
    },
    releaseAll: () => {
      for (const cancel of waiting.values()) cancel(() => {})
      waiting.clear()
    }
  }
}
