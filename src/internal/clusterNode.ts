/**
 * The layers of Cluster.ts, loaded when one is built: effect/cluster and the
 * Node socket transport stay out of the package's entry (task modules import
 * it in every worker).
 */
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as RunnerAddress from "effect/cluster/RunnerAddress"
import * as RunnerStorage from "effect/cluster/RunnerStorage"
import * as Sharding from "effect/cluster/Sharding"
import * as ShardingConfig from "effect/cluster/ShardingConfig"
import * as SqlRunnerStorage from "effect/cluster/SqlRunnerStorage"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Options, RunnerOptions } from "../Cluster.ts"
import * as Pool from "../Pool.ts"
import { PoolEntity, rootDir } from "./cluster.ts"
import { make as makeClient } from "./clusterClient.ts"
import { makeHandler } from "./clusterRunner.ts"

export const serve = (options: { readonly root?: string | URL | undefined }) =>
  PoolEntity.toLayer(
    Effect.map(Effect.service(Pool.Pool), (pool: Pool.Pool) => {
      const run = makeHandler(pool, rootDir(options.root))
      return { Run: ({ payload }) => run(payload) }
    }),
    { concurrency: "unbounded", disableFatalDefects: true }
  )

export const runner = (options: RunnerOptions) => {
  const address = options.host !== undefined || options.port !== undefined
    ? { runnerAddress: Option.some(RunnerAddress.make(options.host ?? "localhost", options.port ?? 34431)) }
    : {}
  return serve(options).pipe(
    Layer.provide(Pool.layer({ startMethod: "thread", ...options.pool })),
    Layer.provide(NodeClusterSocket.layer({ storage: "sql", shardingConfig: { ...options.shardingConfig, ...address } }))
  )
}

/** A client-only node: Sharding and the runner storage (exported for the tests). */
export const clientLayer = (options: Options) =>
  Layer.merge(
    NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: options.shardingConfig }),
    SqlRunnerStorage.layerStorage({}).pipe(Layer.provide(ShardingConfig.layer(options.shardingConfig)))
  )

export const pool = (options: Options) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(clientLayer(options))
    return yield* makeClient(options).pipe(
      Effect.provideService(Sharding.Sharding, Context.get(context, Sharding.Sharding)),
      Effect.provideService(RunnerStorage.RunnerStorage, Context.get(context, RunnerStorage.RunnerStorage))
    )
  })
