/**
 * Effect modules that only some calls need, loaded on their first use
 * instead of at import: `effect/Stream` costs ~10 ms at start-up, and a
 * program that never asks for a Stream (imap, Queue.stream) never pays it.
 * The load is synchronous (Node >= 22.12 `require`s an ES module), so the
 * functions that need it keep returning a Stream at once; it is the very
 * module an `import` of the same name gives.
 */
import { createRequire } from "node:module"
import type * as StreamModule from "effect/Stream"

const require = createRequire(import.meta.url)

let stream: typeof StreamModule | undefined

/** `effect/Stream`, loaded on first use. */
export const Stream = (): typeof StreamModule => stream ??= require("effect/Stream")
