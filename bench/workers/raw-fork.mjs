// The floor on the `process` start method: a forked child answering over Node's IPC channel
// (serialization "advanced", as ours), with raw.mjs's batch format.
import { countPrimes, echo, inc } from "./common.mjs"

const fns = { inc, echo, countPrimes }

process.on("message", (batch) => {
  const out = new Array((batch.length / 3) * 2)
  for (let i = 0, j = 0; i < batch.length; i += 3, j += 2) {
    out[j] = batch[i]
    out[j + 1] = fns[batch[i + 1]](batch[i + 2])
  }
  process.send(out)
})
