/**
 * The Process, Queue and Pipe examples, run as programs with plain `node`,
 * their output checked against what the Python originals print (pids vary).
 */
import { describe, expect, it } from "@effect/vitest"
import { runExample as run } from "./helpers.ts"

describe("Process, Queue and Pipe examples", () => {
  it("02: a process with arguments prints them", () => {
    expect(run("02_process_args.ts")).toBe("1 2\n")
  })

  it("03: two processes put their results into one queue", () => {
    expect(run("03_process_queue.ts")).toBe("249833583000 249833583000\n")
  })

  it("21: parent and child pids, in order", () => {
    const lines = run("21_child_process_pid.ts").trim().split("\n")
    expect(lines).toHaveLength(4)
    const parent = lines[0].match(/^Parent process (\d+)\.$/)
    const child = lines[2].match(/^Run child process test \((\d+)\)\.\.\.$/)
    expect(parent).not.toBeNull()
    expect(lines[1]).toBe("Child process will start.")
    expect(child).not.toBeNull()
    expect(child![1]).not.toBe(parent![1])
    expect(lines[3]).toBe("Child process end.")
  })

  it("25: every Get follows its Put, in order, and the reader is terminated after the last one", () => {
    const lines = run("25_queue_writer_reader.ts").trim().split("\n")
    expect(lines.filter((l) => l.startsWith("Process to write: "))).toHaveLength(1)
    expect(lines.filter((l) => l.startsWith("Process to read: "))).toHaveLength(1)
    const puts = lines.filter((l) => l.startsWith("Put "))
    const gets = lines.filter((l) => l.startsWith("Get "))
    expect(puts).toEqual(["Put A to queue...", "Put B to queue...", "Put C to queue..."])
    expect(gets).toEqual(["Get A from queue.", "Get B from queue.", "Get C from queue."])
    for (const v of ["A", "B", "C"]) {
      expect(lines.indexOf(`Get ${v} from queue.`)).toBeGreaterThan(lines.indexOf(`Put ${v} to queue...`))
    }
  })

  it("28: two producers, two consumers: hello twice", () => {
    expect(run("28_queue_two_producers.ts")).toBe("hello\nhello\n")
  })

  it("29: a pipe between two processes", () => {
    expect(run("29_pipe.ts")).toBe("hello, how do you do\n")
  })

  it("a JoinableQueue drained by daemon workers", () => {
    expect(run("joinable_queue.ts")).toBe("all 10 jobs done; sum of squares: 285\n")
  })
})
