/**
 * A worker thread's messages from the main program: the main program counts
 * its posts in the thread's doorbell (`bell[BELL_POSTS]`, backend.ts), the
 * thread counts those it read (worker.ts). A lock's step done in place that
 * sees one unread lets the worker read it (syncpath.ts). Unset elsewhere.
 *
 * A module of its own, with no import: the worker entry sets it, and a
 * worker of plain functions loads no module of effect.
 *
 * @internal
 */
export const inbox: { bell: Int32Array | undefined; read: number } = { bell: undefined, read: 0 }

/** Counts one message read, wrapping as the doorbell's Int32 count does (a long-lived pool posts billions). */
export const countRead = (): void => {
  inbox.read = (inbox.read + 1) | 0
}
