/**
 * The package as `npm run build` makes it (scripts/build.ts: each public
 * module a facade over a few bundled chunks), not the sources the other tests
 * run: a build of its own in a temporary folder of this checkout (where
 * `effect` resolves), then
 *
 * - a program importing the root loads 6 files of ours, and still no Schema,
 *   Stream or child_process until used; the error classes work;
 * - every public module is the same object from the root and from its subpath;
 *   the root's lazy namespaces load on first read, even while an `import()`
 *   of their module is in flight;
 * - examples covering each start method and shared-object kind, and the
 *   cluster (its runners started from the built `bin.js`), copied to import
 *   the build, print what they print from the sources;
 * - package.json's `sideEffects` covers every built file that is more than
 *   re-exports (a user's bundler may drop the others when unused).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
let out = ""

beforeAll(() => {
  out = fs.mkdtempSync(path.join(root, ".dist-test-"))
  execFileSync(process.execPath, [path.join(root, "scripts", "build.ts"), out], { cwd: root, stdio: "pipe" })
  // the examples, importing the build instead of src/
  fs.mkdirSync(path.join(out, "examples"))
  for (const file of fs.readdirSync(path.join(root, "examples"))) {
    const text = fs.readFileSync(path.join(root, "examples", file), "utf8")
    fs.writeFileSync(
      path.join(out, "examples", file),
      text
        .replaceAll(/"\.\.\/src\/(\w+)\.ts"/g, "\"../$1.js\"")
        .replaceAll("\"../test/", `"${root}/test/`)
        // the cluster example's runners: the built command line
        .replaceAll("path.join(root, \"src\", \"bin.ts\")", "path.join(root, \"bin.js\")")
    )
  }
}, 120_000)

afterAll(() => {
  if (out !== "") fs.rmSync(out, { recursive: true, force: true })
})

const node = (args: Array<string>, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, args, { cwd: out, encoding: "utf8", timeout: 90_000, env })

describe("the built package", () => {
  it("a program importing the root loads 6 files of ours and no Schema, Stream or child_process; errors work", () => {
    const { status, stdout, stderr } = node([path.join(root, "test", "fixtures", "startup.ts"), "errors"], { ...process.env, EMP_FROM: out })
    expect(stderr).toBe("")
    expect(status).toBe(0)
    const { result, afterImport, afterPool, errors } = JSON.parse(stdout)
    expect(result).toBe(144)
    const files = [
      "Task.js",
      "index.js",
      "internal/core.js",
      "internal/errors.js",
      "internal/rolldown-runtime.js",
      "internal/task.js"
    ]
    expect(afterImport).toEqual({ schema: false, stream: false, platform: false, childProcess: false, files })
    expect(afterPool).toEqual(afterImport)
    expect(errors).toMatchObject({ isSchema: true, decoded: true, instance: true, name: "WorkerDied", sameClass: true })
  }, 60_000)

  it("a worker's entry and the Task module a task module imports load no module of effect until a task uses one", () => {
    // their static imports, followed through our own files
    const seen = new Set<string>()
    const packages = new Set<string>()
    const walk = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const text = fs.readFileSync(path.join(out, file), "utf8")
      for (const [, from] of text.matchAll(/^(?:import|export)\b[^;"]*?"([^"]+)"/gm)) {
        if (from!.startsWith(".")) walk(path.join(path.dirname(file), from!))
        else packages.add(from!)
      }
    }
    walk("internal/worker.js")
    walk("Task.js")
    expect([...seen].sort()).toEqual(["Task.js", "internal/rolldown-runtime.js", "internal/task.js", "internal/worker.js"])
    // effect is ~40 ms more for each worker to start (measured in a fresh thread here)
    expect([...packages].filter((name) => !name.startsWith("node:"))).toEqual([])
  })

  it("each public module is the same object from the root and from its own path", () => {
    const script = `
      const root = await import("./index.js")
      const differ = []
      for (const [name, namespace] of Object.entries(root)) {
        if (typeof namespace !== "object" || namespace === null || !(Symbol.toStringTag in namespace)) continue
        const own = await import("./" + (name === "Errors" ? "errors" : name) + ".js")
        for (const key of Object.keys(own)) if (own[key] !== namespace[key]) differ.push(name + "." + key)
        if (Object.keys(own).length === 0) differ.push(name + " is empty")
      }
      console.log(JSON.stringify({ differ, namespaces: Object.keys(root).filter((k) => typeof root[k] === "object").length }))`
    const { status, stdout, stderr } = node(["--input-type=module", "-e", script])
    expect(stderr).toBe("")
    expect(status).toBe(0)
    const { differ, namespaces } = JSON.parse(stdout)
    expect(differ).toEqual([])
    expect(namespaces).toBeGreaterThanOrEqual(16)
  })

  it("the root's lazy namespaces load on first read, even while an import() of their module is in flight", () => {
    // A task module importing effect-multiprocessing/Queue is such an import() in a
    // worker: Node refuses to require a module that one is still loading.
    const script = `
      const root = await import("./index.js")
      const inFlight = import("./Queue.js")
      const make = root.Queue.make
      const own = await inFlight
      const lock = await import("./Lock.js")
      console.log(JSON.stringify({
        same: make === own.make,
        keys: JSON.stringify(Object.keys(root.Queue)) === JSON.stringify(Object.keys(own)),
        lockKeys: JSON.stringify(Object.keys(root.Lock)) === JSON.stringify(Object.keys(lock)),
        tag: Object.prototype.toString.call(root.Lock),
        extensible: Object.isExtensible(root.Queue),
        lock: root.Lock.make === lock.make
      }))`
    const { status, stdout, stderr } = node(["--input-type=module", "-e", script])
    expect(stderr).toBe("")
    expect(status).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ same: true, keys: true, lockKeys: true, tag: "[object Module]", extensible: false, lock: true })
  })

  const examples: Array<readonly [string, (stdout: string) => void]> = [
    ["01_thread_vs_process.ts", (s) => expect(s).toBe("aaaaa\naaaaa\n")],
    ["02_process_args.ts", (s) => expect(s).toBe("1 2\n")],
    ["03_process_queue.ts", (s) => expect(s).toBe("249833583000 249833583000\n")],
    ["09_value_with_lock.ts", (s) =>
      expect(["1\n2\n3\n4\n5\n9\n13\n17\n21\n25\n", "4\n8\n12\n16\n20\n21\n22\n23\n24\n25\n"]).toContain(s)],
    ["17_condition_notify_all.ts", (s) => expect(s.split("\n")[0]).toBe("producer updated the shared resource")],
    ["18_pool_api_fragments.ts", (s) => expect(s).toBe("3\n[0, 1, 4, 9, 16]\n0\n1\n4\n9\n16\n")],
    ["20_pool_apply_async_list.ts", (s) => expect(s).toBe("APPLE\nBANANA\nCHERRY\nDATE\nELDERBERRY\n")],
    ["28_queue_two_producers.ts", (s) => expect(s).toBe("hello\nhello\n")],
    ["29_pipe.ts", (s) => expect(s).toBe("hello, how do you do\n")],
    ["30_manager_dict_list.ts", (s) => expect(s.trim().split("\n")).toHaveLength(12)],
    ["joinable_queue.ts", (s) => expect(s).toBe("all 10 jobs done; sum of squares: 285\n")],
    ["typed_services.ts", (s) => expect(s).toBe("took [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n")],
    // a worker loads the relay's chunk when its task returns an Effect
    ["tracing.ts", (s) => expect(s).toContain("    thumbnail width=640\n      decode\n      scale\n")],
    ["quickstart.ts", (s) => expect(s).toBe("[ 1, 4, 9, 16, 25 ]\n144\n")],
    // PostgreSQL of its own, two runners started from the built bin.js, a program on Cluster.layer
    ["cluster.ts", (s) => expect(s).toBe("[\n   1,  4,  9, 16,  25,\n  36, 49, 64, 81, 100\n]\n144\n")]
  ]
  for (const [file, check] of examples) {
    it(`example ${file} runs on the build`, () => {
      const env = { ...process.env }
      delete env.DATABASE_URL // the cluster example's own temporary server
      const { status, stdout, stderr } = node([path.join(out, "examples", file)], env)
      expect(stderr).toBe("")
      expect(status).toBe(0)
      check(stdout)
    }, 60_000)
  }

  it("package.json's sideEffects covers every built file that does more than re-export", () => {
    const patterns: Array<string> = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).sideEffects
    const matchers = patterns.map((p) => new RegExp(`^${p.replace("./dist/", "").replaceAll(".", "\\.").replaceAll("*", "[^/]*")}$`))
    const effectful: Array<string> = []
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(path.join(out, dir), { withFileTypes: true })) {
        const file = path.posix.join(dir, entry.name)
        if (entry.isDirectory() && entry.name !== "examples") walk(file)
        else if (file.endsWith(".js")) {
          const lines = fs.readFileSync(path.join(out, file), "utf8").split("\n").filter((l) => l.trim() !== "")
          // a facade: only `import {...} from` / `export {...} from` and `export {...}` lines
          const facade = lines.every((l) => /^(import \{[^}]*\} from "[^"]+";|export \{[^}]*\}( from "[^"]+")?;|\/\/# sourceMappingURL=.*)$/.test(l))
          if (!facade) effectful.push(file)
        }
      }
    }
    walk("")
    expect(effectful).toEqual(expect.arrayContaining(["internal/core.js", "internal/worker.js", "bin.js"]))
    expect(effectful.filter((file) => !matchers.some((m) => m.test(file)))).toEqual([])
  })
})
