/**
 * `npm run example -- cluster`: PostgreSQL (a temporary server when
 * DATABASE_URL is unset), two runners from the command line, and a program
 * on `Cluster.layer`, run as a user would, output checked.
 */
import { describe, expect, it } from "@effect/vitest"
import { runExampleExit } from "./helpers.ts"

describe("the cluster example", () => {
  it("maps and applies on two runners and leaves nothing running", () => {
    const env = { ...process.env }
    delete env.DATABASE_URL // its own temporary server
    const { status, stdout, stderr } = runExampleExit("cluster.ts", env)
    expect(stderr).toBe("")
    expect(stdout).toBe("[\n   1,  4,  9, 16,  25,\n  36, 49, 64, 81, 100\n]\n144\n")
    expect(status).toBe(0)
  }, 120_000)
})
