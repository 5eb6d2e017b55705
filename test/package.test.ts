/**
 * The package as a user gets it: built, packed with `npm pack`, installed
 * from the tarball into a fresh project, and used there with a `.ts` task
 * module on worker threads.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const node = process.execPath
const npm = (args: Array<string>, cwd: string) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

const pinned = ["effect", "@effect/platform-node", "@effect/platform-node-shared"]
const installedVersion = (name: string): string =>
  JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version

describe("the packed package", () => {
  it("installs from its tarball and runs a pool from dist/", { timeout: 180_000 }, () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "emp-pack-"))
    try {
      npm(["run", "build"], root)
      const tarball = npm(["pack", "--pack-destination", work, "--silent"], root).trim().split("\n").pop()!
      const project = path.join(work, "project")
      fs.mkdirSync(project)
      // The Effect packages at the versions this checkout was tested with: a release published
      // minutes ago may be listed by the registry before it can be fetched (seen: platform-node-shared).
      const dependencies = Object.fromEntries(pinned.map((name) => [name, installedVersion(name)]))
      fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "user", type: "module", dependencies }))
      npm(["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, tarball)], project)
      fs.writeFileSync(
        path.join(project, "tasks.ts"),
        [
          `import * as Task from "effect-multiprocessing/Task"`,
          `export const cube = Task.make(import.meta.url, "cube", (x: number): number => x * x * x)`
        ].join("\n")
      )
      fs.writeFileSync(
        path.join(project, "main.ts"),
        [
          `import * as Effect from "effect/Effect"`,
          `import { Pool } from "effect-multiprocessing"`,
          `import { cube } from "./tasks.ts"`,
          `const program = Effect.gen(function*() {`,
          `  const pool = yield* Pool.make({ processes: 2 })`,
          `  const cubes = yield* pool.map(cube, [1, 2, 3], { chunksize: 1 })`,
          `  const where = yield* pool.apply(cube, [4])`,
          `  console.log(JSON.stringify({ cubes, where, startMethod: pool.startMethod }))`,
          `})`,
          `Effect.runPromise(Effect.scoped(program))`
        ].join("\n")
      )
      const installed = path.join(project, "node_modules", "effect-multiprocessing")
      expect(fs.existsSync(path.join(installed, "dist", "internal", "worker.js"))).toBe(true)
      expect(fs.existsSync(path.join(installed, "src"))).toBe(false)
      // its declarations type-check a user's program
      execFileSync(node, [
        path.join(root, "node_modules", "typescript", "bin", "tsc"),
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--allowImportingTsExtensions",
        "--skipLibCheck",
        "--types",
        "",
        "main.ts"
      ], { cwd: project, encoding: "utf8" })
      const out = execFileSync(node, ["main.ts"], { cwd: project, encoding: "utf8" })
      expect(JSON.parse(out)).toEqual({ cubes: [1, 8, 27], where: 64, startMethod: "thread" })
    } finally {
      fs.rmSync(work, { recursive: true, force: true })
    }
  })
})
