/**
 * `npm run docs`: the API reference, generated from the JSDoc of the public
 * modules (`src/*.ts`) into `docs/api/`, one Markdown page per module, with an
 * index: each module's doc comment, then each documented export, grouped by
 * its `@category`, with its declaration, its doc and its `@since`. No
 * dependency: the repo's TypeScript (tsgo) has no compiler API for TypeDoc or
 * @effect/docgen, and the sources' JSDoc style is regular enough to read.
 *
 * `npm run docs -- --check` fails if the committed pages differ from what the
 * sources give (the test suite runs it, so the reference never goes stale).
 */
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const src = path.join(root, "src")
const out = path.join(root, "docs", "api")
const check = process.argv.includes("--check")

// the command line (bin.ts) is documented in the README, not as a module
const modules = fs.readdirSync(src).filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "bin.ts").sort()

interface Entry {
  readonly name: string
  readonly category: string
  readonly since: string | undefined
  readonly doc: string
  readonly signature: string
}

/** A doc comment's text (without its `@` tags) and its tags. */
const parseDoc = (comment: string): { readonly text: string; readonly tags: Map<string, string> } => {
  const lines = comment.replace(/^\/\*\*|\*\/$/g, "").split("\n").map((line) => line.replace(/^\s*\* ?/, ""))
  const text: Array<string> = []
  const tags = new Map<string, string>()
  for (const line of lines) {
    const tag = line.match(/^@(\w+)\s*(.*)$/)
    if (tag !== null) tags.set(tag[1]!, tag[2]!.trim())
    else if (tags.size === 0) text.push(line)
  }
  return { text: text.join("\n").trim(), tags }
}

const opening = new Set(["(", "[", "{", "<"])
const closing = new Set([")", "]", "}", ">"])

/**
 * The declaration that starts at `start` (at `export`), as a user reads it:
 * a const's name and type annotation; an interface, class or type whole.
 * The TypeScript here is tsgo, with no compiler API to ask: a small scan that
 * follows brackets is enough for this code's style.
 */
const declarationAt = (text: string, start: number): string => {
  const head = text.slice(start, text.indexOf("\n", start))
  const isConst = /^export (declare )?const /.test(head)
  let depth = 0
  for (let i = start; i < text.length; i++) {
    const c = text[i]!
    if (c === "/" && text[i + 1] === "/") {
      i = text.indexOf("\n", i) - 1 // a line comment
      continue
    }
    if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i) + 1 // a block comment (an apostrophe there is not a string)
      continue
    }
    if (c === "\"" || c === "'" || c === "`") {
      // a string: skip to its end
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++
      continue
    }
    if (c === "=" && text[i + 1] === ">") {
      i++
      continue
    }
    if (opening.has(c)) depth++
    else if (closing.has(c)) {
      depth--
      if (depth === 0 && c === "}" && !isConst && /^export (interface|class)/.test(head)) {
        return text.slice(start, i + 1)
      }
    } else if (depth === 0 && isConst && c === "=") {
      const declared = text.slice(start, i).trimEnd()
      if (/^export (declare )?const \w+\s*:/.test(declared)) return declared
      // no annotation: an arrow function's parameters and return type
      const arrow = arrowAt(text, i + 1)
      if (arrow !== undefined) return `${declared}: ${arrow}`
      // an alias of another module's function: say which
      const alias = text.slice(i + 1, text.indexOf("\n", i)).trim()
      return /^[\w.]+$/.test(alias) ? `${declared} = ${alias}` : declared
    }
    else if (depth === 0 && c === "\n" && !isConst && /^export type/.test(head) && /^\s*(\n|$)/.test(text.slice(i + 1, i + 2))) {
      return text.slice(start, i)
    }
    else if (depth === 0 && c === "\n" && text.slice(i + 1).startsWith("export ")) return text.slice(start, i)
  }
  return head
}

/** `(params): Result => ...` of the arrow function at `start`, if one is there. */
const arrowAt = (text: string, start: number): string | undefined => {
  let depth = 0
  for (let i = start; i < text.length; i++) {
    const c = text[i]!
    if (c === "=" && text[i + 1] === ">") {
      if (depth === 0) return `${text.slice(start, i).trim()} => ...`
      i++
    } else if (opening.has(c)) depth++
    else if (closing.has(c)) depth--
    else if (c === "\n" && depth === 0 && !/^\s*[(<]/.test(text.slice(start, i))) return undefined
  }
  return undefined
}

const page = (module: string): { readonly title: string; readonly summary: string; readonly text: string } => {
  const text = fs.readFileSync(path.join(src, module), "utf8")
  const title = module.replace(/\.ts$/, "")
  const comments = [...text.matchAll(/\/\*\*[\s\S]*?\*\//g)]
  const moduleDoc = comments.length > 0 && comments[0]!.index === 0 ? parseDoc(comments[0]![0]).text : ""
  const entries: Array<Entry> = []
  for (const match of comments) {
    const after = match.index! + match[0].length
    const next = text.slice(after).match(/^\s*\n(export (?:declare )?(?:const|interface|type|class|function) (\w+))/)
    if (next === null) continue
    const doc = parseDoc(match[0])
    const start = after + next[0].length - next[1]!.length
    entries.push({
      name: next[2]!,
      category: doc.tags.get("category") ?? "other",
      since: doc.tags.get("since"),
      doc: doc.text,
      signature: declarationAt(text, start).replace(/^export /, "")
    })
  }
  const categories = [...new Set(entries.map((e) => e.category))].sort()
  const lines = [`# ${title}`, "", moduleDoc, ""]
  for (const category of categories) {
    lines.push(`## ${category}`, "")
    for (const entry of entries.filter((e) => e.category === category).sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`### ${entry.name}`, "")
      if (entry.doc) lines.push(entry.doc, "")
      lines.push("```ts", entry.signature, "```", "")
      if (entry.since) lines.push(`Added in v${entry.since}`, "")
    }
  }
  const summary = moduleDoc.split("\n\n")[0]!.replace(/\n/g, " ")
  return {
    title,
    summary: summary.length > 160 ? summary.slice(0, summary.lastIndexOf(" ", 157)) + "..." : summary,
    text: lines.join("\n").replace(/\n{3,}/g, "\n\n")
  }
}

const pages = modules.map(page)
const files = new Map<string, string>()
for (const p of pages) files.set(`${p.title}.md`, p.text)
files.set(
  "README.md",
  [
    "# API reference",
    "",
    "Generated from the JSDoc of `src/` by `npm run docs`; do not edit by hand.",
    "",
    "| module | what it is |",
    "|---|---|",
    ...pages.map((p) => `| [${p.title}](${p.title}.md) | ${p.summary.replace(/\|/g, "\\|")} |`),
    ""
  ].join("\n")
)

if (check) {
  const stale = [...files].filter(([name, text]) => {
    const file = path.join(out, name)
    return !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text
  }).map(([name]) => name)
  const extra = fs.existsSync(out) ? fs.readdirSync(out).filter((name) => !files.has(name)) : []
  if (stale.length > 0 || extra.length > 0) {
    console.error(`docs/api is out of date (${[...stale, ...extra].join(", ")}): run npm run docs`)
    process.exit(1)
  }
  console.log(`docs/api is up to date (${files.size} pages)`)
} else {
  fs.rmSync(out, { recursive: true, force: true })
  fs.mkdirSync(out, { recursive: true })
  for (const [name, text] of files) fs.writeFileSync(path.join(out, name), text)
  console.log(`wrote ${files.size} pages to docs/api`)
}
