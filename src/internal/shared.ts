/**
 * Everything a worker needs for shared objects, in one module that the
 * executor imports when the first one arrives: a worker that never gets one
 * does not load the queue, pipe, lock... machinery at start.
 */
import "./kinds.ts"

export { R_ENDED, revive } from "./handles.ts"
export { active, awaiting, onNotice, onReply, setParentLink, settle } from "./remote.ts"
