/**
 * What client and runners of a cluster pool share: the entity and its one
 * RPC, how a task is named relative to a root, and how replies cross.
 *
 * A message carries a chunk: the task's key, the operation, and the
 * arguments (one call) or inputs (a chunk of a map) as `v8.serialize` bytes,
 * so that values behave as with local workers (bigint, Map, Date, typed
 * arrays). The reply is `v8.serialize([status, value, chunk])` with the statuses of
 * the worker protocol (protocol.ts): the runner passes its worker's encoded
 * outcome on unchanged, and the client decodes it with its own task's
 * contract (decode.ts), as a local pool does.
 */
import * as Entity from "effect/cluster/Entity"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Rpc from "effect/rpc/Rpc"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Errors from "../errors.ts"
import type { Any } from "../Task.ts"
import { decodeExit, reviveLibError } from "./decode.ts"
import * as P from "./protocol.ts"
import { V8 as v8 } from "./lazy.ts"
import { encodeError, type EncodedLibError } from "./wire.ts"


// -- the entity -------------------------------------------------------------

/** One message: a call (`apply`) or a chunk of a map (`map`, `starmap`). */
export const Run = Rpc.make("Run", {
  payload: {
    /** The chunk's stable id, `<client>.<call>.<index>`: the reply echoes it (see Ledger). */
    chunk: Schema.String,
    /** `<module path relative to the root>#<name>` */
    task: Schema.String,
    op: Schema.Literals(["apply", "map", "starmap"]),
    /** map/starmap: every input's outcome, not the first failure */
    exit: Schema.Boolean,
    /** v8.serialize of the argument list (apply) or of the inputs (map, starmap) */
    data: Schema.Uint8Array
  },
  /** v8.serialize([status, value, chunk]) */
  success: Schema.Uint8Array
})

export const PoolEntity = Entity.make("EffectMultiprocessingPool", [Run])

// -- naming -----------------------------------------------------------------

const isUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s)

/** The root a side names its tasks from: a directory (a file's URL or path means its directory). */
export const rootDir = (root: string | URL | undefined): string => {
  if (root === undefined) return process.cwd()
  const s = typeof root === "string" ? root : root.href
  const dir = s.startsWith("file:") ? fileURLToPath(s) : path.resolve(s)
  try {
    if (fs.statSync(dir).isFile()) return path.dirname(dir)
  } catch {
    // not there (yet): taken as a directory
  }
  return dir
}

const keys = new WeakMap<Any, string>()

/** `<module path relative to root>#<name>`, `/`-separated; a module that is not a file keeps its URL. */
export const taskKey = (root: string, task: Any): string => {
  let key = keys.get(task)
  if (key === undefined) {
    const module = task.module.startsWith("file:")
      ? path.relative(root, fileURLToPath(task.module)).split(path.sep).join("/")
      : task.module
    key = `${module}#${task.name}`
    keys.set(task, key)
  }
  return key
}

/** Where a runner looks for a key's module: its absolute path (or URL), and the name. */
export const resolveKey = (root: string, key: string): { readonly module: string; readonly name: string; readonly url: string } => {
  const hash = key.lastIndexOf("#")
  const relative = key.slice(0, hash)
  const name = key.slice(hash + 1)
  if (isUrl(relative)) return { module: relative, name, url: relative }
  const module = path.resolve(root, ...relative.split("/"))
  return { module, name, url: pathToFileURL(module).href }
}

// -- replies ------------------------------------------------------------------

const libTags = new Set([
  "PoolNotRunning",
  "WorkerDied",
  "TaskNotFound",
  "TaskModuleLoadError",
  "InitializerFailed",
  "SerializationError",
  "InvalidPayload",
  "InvalidArgument",
  "QueueEnded",
  "QueueShutdown"
])

const fieldsOf = (e: object): Record<string, unknown> => {
  const fields: Record<string, unknown> = {}
  for (const k of Object.keys(e)) if (k !== "_tag") fields[k] = (e as any)[k]
  return fields
}

/** A failure or defect of the runner's pool, as `[status, value]` of the worker protocol. */
export const encodeCause = (cause: Cause.Cause<unknown>): [number, unknown] => {
  const failure = Cause.findError(cause)
  if (failure._tag === "Success") {
    const e = failure.success as any
    if (e instanceof Errors.TaskError) {
      // rebuilt by the client as a TaskError naming its own task
      return [P.S_THROWN, { "~error": 1, name: e.name, message: e.reason, stack: e.remoteStack, props: e.data }]
    }
    if (e instanceof Error && libTags.has((e as any)._tag)) {
      return [P.S_LIB, [(e as any)._tag, fieldsOf(e)] satisfies EncodedLibError]
    }
    return [P.S_FAIL, encodeError(e)]
  }
  const defect = Cause.findDefect(cause)
  if (defect._tag === "Success") return [P.S_DIE, encodeError(defect.success)]
  return [P.S_INTERRUPTED, undefined]
}

/** An outcome as reply bytes, naming its chunk; a value v8 cannot serialize becomes a SerializationError. */
export const encodeReply = (
  request: { readonly task: string; readonly chunk: string },
  status: number,
  value: unknown
): Uint8Array => {
  try {
    return v8().serialize([status, value, request.chunk])
  } catch (e) {
    return v8().serialize([P.S_LIB, ["SerializationError", {
      task: request.task,
      direction: status === P.S_OK ? "result" : "error",
      path: "result",
      valueType: e instanceof Error ? e.message : String(e)
    }], request.chunk])
  }
}

/** `[status, value, chunk]`: the outcome and the id of the chunk it answers. */
export const decodeReply = (bytes: Uint8Array): readonly [number, unknown, string] =>
  v8().deserialize(bytes) as [number, unknown, string]

// -- delivery -----------------------------------------------------------------

/**
 * The chunks of one call, each delivered at most once. Execution is at least
 * once (a chunk whose runner died or froze runs again elsewhere), so every
 * reply names its chunk, and only the first reply for a chunk of this call
 * counts: `"first"` (deliver it), `"duplicate"` (that chunk was delivered:
 * drop it), `"foreign"` (it answers a chunk this call did not send there:
 * never deliver it). Memory stays bounded by the chunks in flight: below
 * `low` every chunk is delivered.
 */
export interface Ledger {
  /** The stable id of chunk `index` of this call. */
  readonly id: (index: number) => string
  readonly accept: (index: number, echoed: string) => "first" | "duplicate" | "foreign"
  /** Replies dropped so far (duplicates and foreign ones). */
  readonly dropped: () => number
}

export const makeLedger = (call: string): Ledger => {
  let low = 0
  const above = new Set<number>()
  let dropped = 0
  const id = (index: number) => `${call}.${index}`
  return {
    id,
    accept: (index, echoed) => {
      if (echoed !== id(index)) {
        dropped++
        return "foreign"
      }
      if (index < low || above.has(index)) {
        dropped++
        return "duplicate"
      }
      if (index === low) {
        low++
        while (above.delete(low)) low++
      } else {
        above.add(index)
      }
      return "first"
    },
    dropped: () => dropped
  }
}

const clientLib: Record<string, new(fields: any) => Errors.PoolError> = {
  InvalidArgument: Errors.InvalidArgument
}

/** A reply's outcome on the client, decoded by the client's own task. */
export const decode = (task: Any, status: number, value: unknown): Exit.Exit<any, any> => {
  if (status === P.S_LIB) {
    const [tag, fields] = value as EncodedLibError
    const Ctor = clientLib[tag]
    return Exit.fail(Ctor ? new Ctor(fields) : reviveLibError([tag, fields]))
  }
  return decodeExit(task, status, value)
}
