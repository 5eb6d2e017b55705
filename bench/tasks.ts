/**
 * Our library's tasks for the benchmark: the functions of work.ts registered
 * as Tasks (each worker imports this module and finds them by name).
 */
import { Task } from "../src/index.ts"
import * as W from "./work.ts"

export const inc = Task.make(import.meta.url, "inc", W.inc)
export const echo = Task.make(import.meta.url, "echo", W.echo)
export const countPrimes = Task.make(import.meta.url, "countPrimes", W.countPrimes)
