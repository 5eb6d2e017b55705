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
 *     Effect task (`bootstrap.ts`, `relay.ts`);
 *   - `core.js`: what the package root loads with it (Pool, Process...);
 *   - `objects.js`: the rest of the package (shared objects, locks, Manager,
 *     Cluster), which the root loads on first use (below).
 *   A program importing the package root loads 5 files instead of ~50:
 *   Node's per-module cost (resolve, read, compile, link) was ~10 ms of its
 *   cold start. Every module is in exactly one chunk, so `Pool` from the root
 *   and from `effect-multiprocessing/Pool` are the same object, and a worker
 *   and the main program share the classes and registries of `task.js`.
 *   The cluster's runner side (`internal/clusterNode.js`) and `bin.js` stay
 *   out of these chunks: they load only when used. Our modules keep their
 *   side effects (`internal/kinds.ts` is imported for them).
 * - The root (`index.js`) is built from `src/index.ts` with every namespace
 *   but Pool, Process, Task, StartMethod and Errors made lazy
 *   (`internal/lazyNamespace.ts`): compiling `objects.js` was ~4 ms of the
 *   start of a program that uses only a Pool. A lazy namespace `require`s
 *   `internal/lazy/<Name>.js`, a file only the root loads, which re-exports
 *   the public module: Node refuses to `require` a module while an `import()`
 *   that includes it is still loading (ERR_REQUIRE_ESM_RACE_CONDITION), and a
 *   worker importing a task module is such an `import()`.
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
const bootstrap = without(closure(path.join(src, "internal", "bootstrap.ts"), path.join(src, "internal", "relay.ts")), task)

// The root's namespaces: those a Pool program needs load with it, the others on first use.
const rootFile = path.join(src, "index.ts")
const rootText = fs.readFileSync(rootFile, "utf8")
const eager = new Set(["Errors", "Pool", "Process", "StartMethod", "Task"])
const namespaces = [...rootText.matchAll(/^export \* as (\w+) from "\.\/(\w+)\.ts"$/gm)].map(([, name, file]) => ({ name: name!, file: file! }))
const lazy = namespaces.filter(({ name }) => !eager.has(name))
const core = without(closure(...namespaces.filter(({ name }) => eager.has(name)).map(({ file }) => path.join(src, `${file}.ts`))), task, bootstrap)
const objects = without(closure(rootFile), task, bootstrap, core)
objects.delete(rootFile)
// each lazy namespace's keys, from its source module (Node strips the types)
const keysOf = new Map<string, Array<string>>()
for (const { file } of lazy) keysOf.set(file, Object.keys(await import(path.join(src, `${file}.ts`))))
const rootSource = [
  `import { createRequire } from "node:module"`,
  `import { lazyNamespace } from "./internal/lazyNamespace.ts"`,
  `const require = createRequire(import.meta.url)`,
  rootText.replaceAll(/^export \* as (\w+) from "\.\/(\w+)\.ts"$/gm, (line, name: string, file: string) =>
    eager.has(name) ? line : `export const ${name} = /* @__PURE__ */ lazyNamespace(() => require("./internal/lazy/${file}.js"), ${JSON.stringify(keysOf.get(file))})`)
].join("\n")
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
  // what only registers a kind of shared object is imported for that (internal/kinds.ts)
  treeshake: { moduleSideEffects: (id) => path.resolve(id).startsWith(src) },
  plugins: [{ name: "lazy-root", load: (id) => path.resolve(id) === rootFile ? rootSource : undefined }],
  output: {
    dir: out,
    format: "esm",
    sourcemap: true,
    // stack traces and class names read as in the sources
    keepNames: true,
    comments: { legal: true, annotation: true, jsdoc: false },
    entryFileNames: "[name].js",
    // beside internal/worker.js: backend.ts finds the worker entry next to itself
    chunkFileNames: "internal/[name].js",
    codeSplitting: {
      groups: [
        { name: "task", test: inGroup(task) },
        { name: "errors", test: inGroup(bootstrap) },
        { name: "core", test: inGroup(core) },
        { name: "objects", test: inGroup(objects) }
      ]
    }
  }
})

// what a lazy namespace of the root loads: its public module, through a file nobody else imports
fs.mkdirSync(path.join(out, "internal", "lazy"))
for (const { file } of lazy) {
  fs.writeFileSync(path.join(out, "internal", "lazy", `${file}.js`), `export { ${keysOf.get(file)!.join(", ")} } from "../../${file}.js";\n`)
}
