/**
 * The same `Pool` on `effect/cluster` runners, with storage in SQL
 * (Postgres through `@effect/sql-pg`, or any `SqlClient` effect/cluster
 * supports). A runner joins the cluster and serves pool work by handing each
 * message, a chunk of inputs, to its one local thread Pool: a task that
 * crashes fails its call with `WorkerDied`, never the runner. A client gets
 * a `Pool` whose calls go to the runners; the code that uses it is the same
 * as with a local pool.
 *
 * Tasks are named relative to a root that each side declares (`root`, default
 * `process.cwd()`): `<module path relative to root>#<name>`, so client and
 * runners may hold the same code at different absolute paths.
 *
 * ```ts
 * // runner.ts, on each machine
 * const Runner = Cluster.runner({ root: import.meta.dirname, port: 34431 }).pipe(
 *   Layer.provide(PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL!) }))
 * )
 * NodeRuntime.runMain(Layer.launch(Runner))
 *
 * // the program: only where its pool comes from changes
 * const program = Effect.gen(function*() {
 *   const pool = yield* Pool.Pool
 *   const squares = yield* pool.map(square, [1, 2, 3]) // [1, 4, 9]
 * }).pipe(Effect.provide(Cluster.layer({ root: import.meta.dirname }).pipe(Layer.provide(PgClient.layer(...)))))
 * ```
 *
 * @since 0.1.0
 */
import type { Sharding } from "effect/cluster/Sharding"
import type * as ShardingConfig from "effect/cluster/ShardingConfig"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as SocketServer from "effect/socket/SocketServer"
import type { SqlClient } from "effect/sql/SqlClient"
import type * as Stream from "effect/Stream"
import type * as Errors from "./errors.ts"
import * as Pool from "./Pool.ts"
import type { Task } from "./Task.ts"

/**
 * Settings of `effect/cluster`'s sharding. Runners and clients must agree on
 * `shardsPerGroup`. Environment variables (`SHARD_LOCK_EXPIRATION`...) are
 * read too; these win.
 *
 * @since 0.1.0
 * @category models
 */
export type ShardingOptions = Partial<ShardingConfig.ShardingConfig["Service"]>

/**
 * @since 0.1.0
 * @category models
 */
export interface RunnerOptions {
  /**
   * The directory tasks are named from (a path, or a file URL: a file's URL
   * means its directory). Default: `process.cwd()`.
   */
  readonly root?: string | URL | undefined
  /** The runner's local pool (one per runner). Default: `{ startMethod: "thread" }`, a worker per core. */
  readonly pool?: Pool.Options | undefined
  /** Address other nodes reach this runner at. Default: effect/cluster's (`localhost:34431`). */
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly shardingConfig?: ShardingOptions | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The directory tasks are named from, as on the runners. Default: `process.cwd()`. */
  readonly root?: string | URL | undefined
  /** How many entity ids calls are spread over (each lands on a shard, hence a runner). Default: 64. */
  readonly entities?: number | undefined
  /**
   * Runners to size `map` chunks for. Default: the healthy runners in
   * storage, read at each `map` / `starmap`.
   */
  readonly runners?: number | undefined
  /** Timeout of every call (each call's `timeout` wins). Default: none. */
  readonly timeout?: Duration.Input | undefined
  readonly shardingConfig?: ShardingOptions | undefined
}

/**
 * Options every call of a cluster pool takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /**
   * Fails the call with `TaskTimedOut` after this long, interrupting it on its
   * runner. For `map` / `starmap` it bounds the whole map; for `imap` each message.
   */
  readonly timeout?: Duration.Input | undefined
}

/**
 * A pool whose workers are the runners of a cluster: the `Pool` interface,
 * whose calls also take a `timeout`. Defaults where they differ from a local
 * pool: `map` sends `ceil(n / (8 * runners))` inputs per message; `imap`
 * sends 64 per message with `4 * runners` messages in flight. `workers` is
 * empty, `processes` is the number of runners when the pool was made.
 *
 * Execution is at least once (a chunk whose runner dies or freezes runs again
 * on another), delivery exactly once: every message carries its chunk's stable
 * id (`<pool>.<call>.<index>`), the reply names it, and a reply for a chunk
 * already delivered is dropped. Several pools, in one program or in many, share
 * a cluster: a reply reaches only the call that sent its chunk.
 *
 * Differences from a local pool: a task that declares services
 * (`Task.make(..., { services })`) is refused with `InvalidArgument` at the
 * call, by every operation (the caller's services cannot reach another
 * machine: pass what the task needs as arguments); `transfer` is accepted and
 * ignored (the buffers are copied, as to a child process, and stay usable).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterPool extends Pool.Pool {
  readonly apply: <Args extends ReadonlyArray<any>, A, E, R>(
    task: Task<Args, A, E, R>,
    args: NoInfer<Args>,
    options?: Pool.ApplyOptions & CallOptions
  ) => Effect.Effect<A, E | Errors.PoolError, R>
  readonly applyAsync: <Args extends ReadonlyArray<any>, A, E, R>(
    task: Task<Args, A, E, R>,
    args: NoInfer<Args>,
    options?: Pool.ApplyOptions & CallOptions
  ) => Effect.Effect<Fiber.Fiber<A, E | Errors.PoolError>, never, R>
  readonly map: {
    <I, A, E, R>(
      task: Task<readonly [I], A, E, R>,
      inputs: Iterable<NoInfer<I>>,
      options?: Pool.MapOptions & CallOptions & { readonly mode?: "fail-fast" | undefined }
    ): Effect.Effect<Array<A>, E | Errors.PoolError, R>
    <I, A, E, R>(
      task: Task<readonly [I], A, E, R>,
      inputs: Iterable<NoInfer<I>>,
      options: Pool.MapOptions & CallOptions & { readonly mode: "exit" }
    ): Effect.Effect<Array<Exit.Exit<A, E | Errors.PoolError>>, Errors.InvalidArgument, R>
  }
  readonly starmap: {
    <Args extends ReadonlyArray<any>, A, E, R>(
      task: Task<Args, A, E, R>,
      inputs: Iterable<NoInfer<Args>>,
      options?: Pool.MapOptions & CallOptions & { readonly mode?: "fail-fast" | undefined }
    ): Effect.Effect<Array<A>, E | Errors.PoolError, R>
    <Args extends ReadonlyArray<any>, A, E, R>(
      task: Task<Args, A, E, R>,
      inputs: Iterable<NoInfer<Args>>,
      options: Pool.MapOptions & CallOptions & { readonly mode: "exit" }
    ): Effect.Effect<Array<Exit.Exit<A, E | Errors.PoolError>>, Errors.InvalidArgument, R>
  }
  readonly imap: <I, A, E, R, EI = never, RI = never>(
    task: Task<readonly [I], A, E, R>,
    inputs: Iterable<NoInfer<I>> | Stream.Stream<NoInfer<I>, EI, RI>,
    options?: Pool.StreamOptions & CallOptions
  ) => Stream.Stream<A, E | EI | Errors.PoolError, R | RI>
  readonly imapUnordered: <I, A, E, R, EI = never, RI = never>(
    task: Task<readonly [I], A, E, R>,
    inputs: Iterable<NoInfer<I>> | Stream.Stream<NoInfer<I>, EI, RI>,
    options?: Pool.StreamOptions & CallOptions
  ) => Stream.Stream<A, E | EI | Errors.PoolError, R | RI>
}

/**
 * The cluster pool as a service (`Cluster.layer` also provides it as
 * `Pool.Pool`).
 *
 * @since 0.1.0
 * @category services
 */
export const ClusterPool: Context.Service<ClusterPool, ClusterPool> = Context.Service<ClusterPool>(
  "effect-multiprocessing/ClusterPool"
)

/** The implementation, loaded when a layer or pool is built (see clusterNode.ts). */
const node = Effect.promise(() => import("./internal/clusterNode.ts"))

/**
 * Serves pool work on a node that already runs effect/cluster's `Sharding`,
 * with the node's one local `Pool` (give it `Pool.layer`: the layer is built
 * once, whereas a pool made per entity would be one per entity id).
 *
 * @since 0.1.0
 * @category layers
 */
export const serve = (
  options: { readonly root?: string | URL | undefined } = {}
): Layer.Layer<never, never, Sharding | Pool.Pool> => Layer.unwrap(Effect.map(node, (m) => m.serve(options)))

/**
 * A runner: joins the cluster (`NodeClusterSocket`, storage in SQL through
 * the `SqlClient` you provide) and serves pool work on one local pool.
 *
 * @since 0.1.0
 * @category layers
 */
export const runner = (
  options: RunnerOptions = {}
): Layer.Layer<never, Errors.InvalidArgument | Errors.PoolError | Config.ConfigError | SocketServer.SocketServerError, SqlClient> =>
  Layer.unwrap(Effect.map(node, (m) => m.runner(options)))

/**
 * A pool on the cluster's runners, in the current scope (this node joins
 * as a client only). Closing the scope interrupts its calls, on the runners too.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pool: (
  options?: Options
) => Effect.Effect<ClusterPool, Errors.InvalidArgument | Config.ConfigError, Scope.Scope | SqlClient> = Effect.fn(
  "Cluster.pool"
)(function*(options: Options = {}) {
  const m = yield* node
  return (yield* m.pool(options)) as ClusterPool
})

/**
 * The cluster pool as a layer, as `Pool.Pool` (so that code written against
 * a local pool runs unchanged) and as `ClusterPool`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<Pool.Pool | ClusterPool, Errors.InvalidArgument | Config.ConfigError, SqlClient> =>
  Layer.effectContext(Effect.map(pool(options), (p) => Context.make(Pool.Pool, p).pipe(Context.add(ClusterPool, p))))
