/**
 * The package installs like an Effect library: `npm pack` in a checkout
 * without `dist/` (the `prepack` script builds it) gives a tarball that
 * installs next to an app's own `effect` without a second copy of it, and the
 * README's first example, copied verbatim, runs with plain `node` in
 *
 * - (a) an app made by `npm init -y` (npm 11 writes `"type": "commonjs"`
 *   there: the example then runs as `.mts` files; with the field removed, as
 *   the README's `.ts` files), and
 * - (b) an ESM app (`"type": "module"`), as the README's `.ts` files.
 *
 * `effect` and `@effect/platform-node` come from the npm registry (the cache
 * first). When the registry cannot be reached, or EMP_PACKAGING_OFFLINE=1, they
 * come instead from tarballs packed from this repository's node_modules (with
 * everything they depend on), installed with `--offline`.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"

const root = path.resolve(import.meta.dirname, "..")
const node = process.execPath
// npm runs on the same Node as the tests (its bin starts with `env node`)
const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}` }
const execFileAsync = promisify(execFile)

const run = async (file: string, args: Array<string>, cwd: string) => {
  try {
    const { stderr, stdout } = await execFileAsync(file, args, {
      cwd,
      env,
      encoding: "utf8",
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024
    })
    return { stderr, stdout }
  } catch (error) {
    // the message has stderr; tsc (in prepack) and node's console.log write to stdout
    const { stdout } = error as { stdout?: string }
    if (error instanceof Error && stdout) error.message += `\nstdout:\n${stdout}`
    throw error
  }
}
const npm = async (args: Array<string>, cwd: string) =>
  (await run("npm", ["--no-audit", "--no-fund", "--no-update-notifier", ...args], cwd)).stdout

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"))
const versionOf = (dir: string): string => readJson(path.join(dir, "package.json")).version

/** The README's first example: its files (named by their first comment), the command it gives, what it prints. */
const readmeExample = () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
  const section = readme.split(/^## A first example$/m)[1]!.split(/^## /m)[0]!
  const files = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(([, code]) => ({
    name: code!.match(/^\/\/ ([\w.-]+\.ts)\b/)![1]!,
    code: code!
  }))
  const entry = section.match(/`node ([\w.-]+\.ts)` runs it/)![1]!
  const printed = files.flatMap(({ code }) => [...code.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm)].map(([, out]) => out))
  return { files, entry, stdout: printed.map((line) => `${line}\n`).join("") }
}

/** `dir` holding `name` as Node resolves it from `from` (nested node_modules first). */
const resolveInstalled = (from: string, name: string): string | undefined => {
  for (let dir = from; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name)
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate
  }
  return undefined
}

/** The installed packages `names` need at run time (dependencies, installed optional ones, required peers). */
const closure = (names: Array<string>): Array<string> => {
  const found = new Set<string>()
  const visit = (dir: string) => {
    if (found.has(dir)) return
    found.add(dir)
    const manifest = readJson(path.join(dir, "package.json"))
    const optionalPeers = manifest.peerDependenciesMeta ?? {}
    const wanted = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !optionalPeers[peer]?.optional)
    ]
    for (const name of wanted) {
      const installed = resolveInstalled(dir, name)
      if (installed !== undefined) visit(installed)
      else if (!(name in (manifest.optionalDependencies ?? {}))) throw new Error(`${name} (for ${dir}) is not installed`)
    }
  }
  for (const name of names) visit(path.join(root, "node_modules", name))
  return [...found]
}

const registryReachable = async () => {
  if (process.env.EMP_PACKAGING_OFFLINE === "1") return false
  try {
    await npm(["ping", "--fetch-retries=0", "--fetch-timeout=5000"], root)
    return true
  } catch {
    return false
  }
}

const minor = (version: string): string => version.split(".").slice(0, 2).join(".")

describe("the package as an Effect library", () => {
  // about 10-20 s on 2 cores from the registry (its cache); the offline fallback takes 40-60 s, npm being slow
  // to install local tarballs (it extracts each one several times)
  it("packs from a clean checkout, installs next to one copy of effect, runs the README example", {
    timeout: 120_000
  }, async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "emp-packaging-"))
    try {
      const effectVersion = versionOf(path.join(root, "node_modules", "effect"))
      const platformVersion = versionOf(path.join(root, "node_modules", "@effect", "platform-node"))
      const example = readmeExample()
      expect(example.files.map((f) => f.name)).toContain(example.entry)
      expect(example.stdout).toBe("[ 1, 4, 9, 16, 25 ]\n144\n")

      // a checkout of the working tree as git would give it: no dist/, no node_modules of its own
      const checkout = path.join(work, "checkout")
      const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: root,
        encoding: "utf8"
      }).split("\0").filter((file) =>
        file !== "" && !/^(node_modules|dist)(\/|$)/.test(file) && fs.existsSync(path.join(root, file))
      )
      for (const file of tracked) fs.cpSync(path.join(root, file), path.join(checkout, file))
      expect(fs.existsSync(path.join(checkout, "dist"))).toBe(false)
      fs.symlinkSync(path.join(root, "node_modules"), path.join(checkout, "node_modules"), "dir")

      const online = await registryReachable()
      const tarballs = path.join(work, "tarballs")
      fs.mkdirSync(tarballs)
      type Packed = { filename: string; files: Array<{ path: string }> }
      const pack = async (args: Array<string>, cwd: string): Promise<Array<Packed>> =>
        JSON.parse(await npm(["pack", "--json", "--pack-destination", tarballs, ...args], cwd))
      const [[packed], fromRepo] = await Promise.all([
        pack([], checkout), // runs prepack: the build
        online ? Promise.resolve([]) : pack(["--ignore-scripts", ...closure(["effect", "@effect/platform-node"])], root)
      ])
      const ours = path.join(tarballs, packed!.filename)
      const effectFromRepo = fromRepo.map((p) => path.join(tarballs, p.filename))
      const shipped = packed!.files.map((f) => f.path)
      expect(shipped).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/index.js"]))
      expect(shipped).toEqual(expect.arrayContaining(["dist/index.d.ts", "dist/Task.js", "dist/internal/worker.js"]))
      expect(shipped.filter((f) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(f))).toEqual([])

      // An app has effect already, then adds us: app (a) only effect (npm adds our peer @effect/platform-node),
      // app (b) effect and @effect/platform-node, as the README's install line says.
      const install = async (app: string, only: Array<"effect" | "@effect/platform-node">) => {
        if (online) {
          const specs = only.map((name) => `${name}@${name === "effect" ? effectVersion : platformVersion}`)
          await npm(["install", "--prefer-offline", ...specs], app)
          await npm(["install", "--prefer-offline", ours], app)
        } else {
          await npm(["install", "--offline", ...effectFromRepo], app)
          await npm(["install", "--offline", ours], app)
        }
        const installed = path.join(app, "node_modules", "effect-multiprocessing")
        const manifest = readJson(path.join(installed, "package.json"))
        expect(manifest.dependencies?.effect).toBeUndefined()
        expect(Object.keys(manifest.peerDependencies).sort()).toEqual(["@effect/platform-node", "effect"])
        expect(fs.existsSync(path.join(installed, "LICENSE"))).toBe(true)
        // exactly one effect in the whole tree (npm ls also fails on an invalid or missing peer)
        const copies = (await npm(["ls", "effect", "--all", "--parseable"], app)).trim().split("\n")
        expect(copies).toEqual([path.join(app, "node_modules", "effect")])
        // npm may raise them to a newer patch release (the newest @effect/platform-node's peer range
        // can ask for a newer effect): the same minor version is what the peer ranges promise
        expect(minor(versionOf(copies[0]!))).toBe(minor(effectVersion))
        expect(minor(versionOf(path.join(app, "node_modules", "@effect", "platform-node")))).toBe(minor(platformVersion))
      }
      const writeExample = (app: string, rename: (file: string) => string = (file) => file) => {
        for (const { code, name } of example.files) {
          const source = code.replace(/(from "\.\/)([\w.-]+\.ts)"/g, (_, from, file) => `${from}${rename(file)}"`)
          fs.writeFileSync(path.join(app, rename(name)), source)
        }
      }

      // (a) `npm init -y`
      const initApp = path.join(work, "init-app")
      // (b) an ESM app
      const esmApp = path.join(work, "esm-app")
      fs.mkdirSync(initApp)
      fs.mkdirSync(esmApp)
      await npm(["init", "-y"], initApp)
      fs.writeFileSync(
        path.join(esmApp, "package.json"),
        JSON.stringify({ name: "esm-app", version: "1.0.0", private: true, type: "module" }, null, 2)
      )
      await Promise.all([install(initApp, ["effect"]), install(esmApp, ["effect", "@effect/platform-node"])])

      // (a) as npm init wrote it: "type": "commonjs" (npm 11), where `import` in a .ts file is a
      // SyntaxError, so the example's files are named .mts (the only change)
      const initType: unknown = readJson(path.join(initApp, "package.json")).type
      if (initType !== undefined) {
        expect(initType).toBe("commonjs")
        writeExample(initApp, (file) => file.replace(/\.ts$/, ".mts"))
        const mts = await run(node, [example.entry.replace(/\.ts$/, ".mts")], initApp)
        expect(mts.stdout).toBe(example.stdout)
        expect(mts.stderr).toBe("")
        await npm(["pkg", "delete", "type"], initApp)
      }
      // (a) without a "type": the README's files verbatim; Node detects ES module syntax and warns
      writeExample(initApp)
      // (b) the README's files verbatim
      writeExample(esmApp)
      const [typeless, esm] = await Promise.all([
        run(node, [example.entry], initApp),
        run(node, [example.entry], esmApp)
      ])
      expect(typeless.stdout).toBe(example.stdout)
      expect(typeless.stderr).not.toMatch(/Error/)
      expect(esm.stdout).toBe(example.stdout)
      expect(esm.stderr).toBe("")

      // the README's one-file form (tasks and program in one file, under import.meta.main), verbatim, in the ESM app
      const oneFile = fs.readFileSync(path.join(root, "README.md"), "utf8")
        .split(/^## One file: /m)[1]!.split(/^## /m)[0]!.match(/^```ts\n([\s\S]*?)^```$/m)![1]!
      fs.mkdirSync(path.join(esmApp, "one-file"))
      fs.writeFileSync(path.join(esmApp, "one-file", "main.ts"), oneFile)
      const single = await run(node, [path.join("one-file", "main.ts")], esmApp)
      expect(single.stdout).toBe("[ 1, 4, 9, 16, 25 ]\n")
      expect(single.stderr).toBe("")
    } finally {
      fs.rmSync(work, { recursive: true, force: true })
    }
  })
})
