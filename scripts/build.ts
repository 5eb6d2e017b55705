/**
 * `npm run build`: `dist/` as the package ships it.
 *
 * - Declarations (`.d.ts` with their maps), one per source module, from `tsc`.
 * - JavaScript from rolldown: every public module (`src/*.ts`) stays an
 *   entry file of the same name (`dist/Pool.js`, `dist/Task.js`...), a
 *   facade that re-exports from a few shared chunks under `dist/internal/`:
 *   - `task.js`: what a worker loads (the worker entry's static imports and
 *     `Task`), so a worker and a task module load 3 files, not 12;
 *   - `errors.js`: the error classes and what a worker loads once it runs an
 *     Effect task (`bootstrap.ts`);
 *   - `core.js`: the rest of what the package root loads.
 *   A program importing the package root loads 5 files instead of ~50:
 *   Node's per-module cost (resolve, read, compile, link) was ~10 ms of its
 *   cold start. Every module is in exactly one chunk, so `Pool` from the root
 *   and from `effect-multiprocessing/Pool` are the same object, and a worker
 *   and the main program share the classes and registries of `task.js`.
 *   The cluster's runner side (`internal/clusterNode.js`) and `bin.js` stay
 *   out of these chunks: they load only when used.
 *
 * `node scripts/build.ts [outDir]` builds elsewhere (the dist test builds its
 * own copy beside the repo's `node_modules`, where `effect` resolves).
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { build } from "rolldown"

const root = path.resolve(import.meta.dirname, "..")
const src = path.join(root, "src")
const out = path.resolve(process.argv[2] ?? path.join(root, "dist"))

/** Modules `file` imports statically (not `import type`, not `import()`), with theirs. */
const closure = (...files: Array<string>): Set<string> => {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = fs.readFileSync(file, "utf8")
    const specifiers = text.matchAll(/^(?:import|export)(?!\s+type\b)[^"';]*?\bfrom\s+"(\.[^"]+)"|^import\s+"(\.[^"]+)"/gm)
    for (const [, from, bare] of specifiers) visit(path.resolve(path.dirname(file), from ?? bare!))
  }
  for (const file of files) visit(file)
  return seen
}

const without = (set: Set<string>, ...others: Array<Set<string>>) =>
  new Set([...set].filter((file) => !others.some((other) => other.has(file))))

const workerEntry = path.join(src, "internal", "worker.ts")
const task = closure(workerEntry, path.join(src, "Task.ts"))
task.delete(workerEntry)
const bootstrap = without(closure(path.join(src, "internal", "bootstrap.ts")), task)
const core = without(closure(path.join(src, "index.ts")), task, bootstrap)
const inGroup = (group: Set<string>) => (id: string) => group.has(path.resolve(id))

fs.rmSync(out, { recursive: true, force: true })
execFileSync(
  process.execPath,
  [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", out],
  { cwd: root, stdio: "inherit" }
)

const publicModules = fs.readdirSync(src).filter((file) => file.endsWith(".ts"))
await build({
  input: {
    ...Object.fromEntries(publicModules.map((file) => [file.slice(0, -3), path.join(src, file)])),
    "internal/worker": workerEntry
  },
  // effect, @effect/* and node: come from the user's install
  external: (id) => !id.startsWith(".") && !path.isAbsolute(id),
  platform: "node",
  logLevel: "warn",
  // Pool.cluster imports Cluster lazily for its types' sake; the root loads it anyway
  checks: { ineffectiveDynamicImport: false },
  output: {
    dir: out,
    format: "esm",
    sourcemap: true,
    // stack traces and class names read as in the sources
    keepNames: true,
    entryFileNames: "[name].js",
    // beside internal/worker.js: backend.ts finds the worker entry next to itself
    chunkFileNames: "internal/[name].js",
    codeSplitting: {
      groups: [
        { name: "task", test: inGroup(task) },
        { name: "errors", test: inGroup(bootstrap) },
        { name: "core", test: inGroup(core) }
      ]
    }
  }
})
