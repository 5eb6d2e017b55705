/**
 * Who is running: the main program, or a worker (thread or child process)
 * with the name its pool or `Process.start` gave it (sent with the first
 * message, so a child's environment stays exactly what it was given).
 */
import * as WorkerThreads from "node:worker_threads"

let workerName: string | undefined

/** Set by the worker entry from the handshake. */
export const setWorkerName = (name: string): void => {
  workerName = name
}

export interface Identity {
  readonly name: string
  readonly pid: number
  /** The main program's pid for a worker thread (its parent program), else the parent process's pid. */
  readonly ppid: number
  readonly threadId: number
  readonly isMain: boolean
}

export const current = (): Identity => {
  const name = workerName
  const thread = !WorkerThreads.isMainThread
  return {
    name: name ?? (thread ? `Thread-${WorkerThreads.threadId}` : "MainProcess"),
    pid: process.pid,
    ppid: thread ? process.pid : process.ppid,
    threadId: WorkerThreads.threadId,
    isMain: name === undefined && !thread
  }
}
