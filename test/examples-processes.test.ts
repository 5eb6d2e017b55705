/**
 * The Process, Queue and Pipe examples, run as programs with plain `node`,
 * their output checked against what the Python originals print (pids vary).
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { runExample as run, runExampleExit } from "./helpers.ts"

describe("Process, Queue and Pipe examples", () => {
  it("01: a fiber and a process are started the same way", () => {
    expect(run("01_thread_vs_process.ts")).toBe("aaaaa\naaaaa\n")
  })

  it("10: start, isAlive, join, a terminate that does nothing after join, exit code 0", () => {
    const out = run("10_process_lifecycle.ts")
    // isAlive right after start races with a task that does nothing, as in Python
    expect(["进程正在运行\nexit code: 0\n", "exit code: 0\n"]).toContain(out)
  })

  it("26: a process never joined by hand is waited for when the scope closes", () => {
    expect(run("26_process_no_join.ts")).toBe("no1 is running\nno1 end\n")
  })

  it("27: three named processes, each printing its pid and name", () => {
    const lines = run("27_process_subclass.ts").trim().split("\n")
    expect(lines).toHaveLength(6)
    const names: Array<string> = []
    for (let i = 0; i < 6; i += 2) {
      expect(lines[i]).toMatch(/^\d+$/)
      names.push(lines[i + 1])
    }
    expect(names.sort()).toEqual(["1 is running", "2 is running", "3 is running"])
  })

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

  it("typed services: the README's producer gets its queue as the Jobs service", () => {
    expect(run("typed_services.ts")).toBe("took [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n")
  })

  it("23: subprocess call: the command's output and exit code, a typed error for a missing command, a timeout", () => {
    expect(run("23_subprocess_call.ts")).toBe(
      "$ echo www.python.org\nwww.python.org\nExit code: 0\nno-such-command: PlatformError\nsleep 10: TimeoutError\n"
    )
  })

  it("24: subprocess communicate: input through stdin, the output and the exit code, as Python prints them", () => {
    expect(run("24_subprocess_communicate.ts")).toBe("$ tr a-z A-Z\nSET Q=MX\nPYTHON.ORG\nEXIT\n\nExit code: 0\n")
  })

  it("11: Semaphore(2) among 5 processes: never more than 2 hold it", () => {
    const lines = run("11_semaphore.ts").trim().split("\n")
    expect(lines).toHaveLength(10)
    let holding = 0
    for (const line of lines) {
      holding += line.endsWith("acquired semaphore") ? 1 : -1
      expect(holding).toBeLessThanOrEqual(2)
      expect(holding).toBeGreaterThanOrEqual(0)
    }
    for (let i = 0; i < 5; i++) {
      expect(lines.indexOf(`Worker ${i} released semaphore`)).toBeGreaterThan(lines.indexOf(`Worker ${i} acquired semaphore`))
    }
  })

  it("12: an Event releases 3 waiting processes", () => {
    const lines = run("12_event.ts").trim().split("\n")
    expect(lines).toHaveLength(9)
    for (let i = 0; i < 3; i++) {
      const waiting = lines.indexOf(`Worker ${i} waiting for event`)
      const received = lines.indexOf(`Worker ${i} received event`)
      const completed = lines.indexOf(`Worker ${i} completed task`)
      expect(waiting).toBeGreaterThanOrEqual(0)
      expect(received).toBeGreaterThan(waiting)
      expect(completed).toBeGreaterThan(received)
    }
  })

  it("13: a Condition between a consumer and a producer: the product is consumed after it is produced", () => {
    const lines = run("13_condition.ts").trim().split("\n")
    expect(lines.sort()).toEqual(
      ["Consumer is consuming the product", "Consumer is waiting", "Producer is producing the product"]
    )
    const out = run("13_condition.ts")
    expect(out.indexOf("Consumer is consuming")).toBeGreaterThan(out.indexOf("Producer is producing"))
  })

  it("31: a Lock around printing: ten whole lines", () => {
    const lines = run("31_lock_print.ts").trim().split("\n")
    expect(lines.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `hello world ${i}`).sort())
  })
})

describe("npm run example", () => {
  const script = path.resolve(import.meta.dirname, "..", "scripts", "example.ts")
  it("lists every example with one line, and runs one by (a prefix of) its name", () => {
    const list = execFileSync(process.execPath, [script], { encoding: "utf8" })
    for (const file of fs.readdirSync(path.resolve(import.meta.dirname, "..", "examples"))) {
      if (file === "tasks.ts" || file === "property_tasks.ts") continue // the tasks of other examples
      expect(list).toMatch(new RegExp(`^${file.slice(0, -3)} +\\S`, "m"))
    }
    expect(execFileSync(process.execPath, [script, "29"], { encoding: "utf8" })).toBe("hello, how do you do\n")
  })
})

describe("the skeleton programs (14-16): they print nothing, and leave nothing held", () => {
  for (const file of ["14_lock_skeleton.ts", "15_semaphore_skeleton.ts", "16_event_skeleton.ts"]) {
    it(file, () => {
      const { status, stdout, stderr } = runExampleExit(file)
      expect(stdout).toBe("")
      expect(stderr).toBe("")
      expect(status).toBe(0)
    })
  }
})
