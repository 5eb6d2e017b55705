/**
 * `npm run example`: lists the examples, one line each (the first line of
 * each file's doc comment); `npm run example -- <name>` runs the one whose
 * file name starts with `<name>` (`29`, `29_pipe`, `quickstart`...) with plain
 * `node`, as a user would.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const dir = path.resolve(import.meta.dirname, "..", "examples")
// tasks.ts and property_tasks.ts hold the tasks of other examples
const helpers = new Set(["tasks.ts", "property_tasks.ts"])
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !helpers.has(f)).sort()

/** The first sentence of the file's doc comment. */
const summary = (file: string): string => {
  const text = fs.readFileSync(path.join(dir, file), "utf8")
  const lines: Array<string> = []
  for (const line of text.split("\n").slice(1)) {
    const body = line.replace(/^\s*\*\s?/, "").trim()
    if (body === "" || line.trim().startsWith("*/")) break
    lines.push(body)
  }
  const paragraph = lines.join(" ")
  const end = paragraph.search(/\.(\s|$)/)
  return end < 0 ? paragraph : paragraph.slice(0, end + 1)
}

const wanted = process.argv[2]
if (wanted === undefined) {
  const width = Math.max(...files.map((f) => f.length - 3))
  for (const file of files) console.log(`${file.slice(0, -3).padEnd(width)}  ${summary(file)}`)
  console.log(`\nnpm run example -- <name>   runs one (a prefix of its name is enough)`)
} else {
  const matches = files.filter((f) => f.startsWith(wanted))
  if (matches.length !== 1) {
    console.error(matches.length === 0 ? `no example named ${wanted}` : `${wanted} names ${matches.length} examples: ${matches.join(", ")}`)
    process.exit(2)
  }
  const r = spawnSync(process.execPath, [path.join(dir, matches[0]), ...process.argv.slice(3)], { stdio: "inherit" })
  process.exit(r.status ?? 1)
}
