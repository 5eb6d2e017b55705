// The raw client's cold-start worker (scenarios 4, 4u): raw.mjs's protocol with one function and no other import.
import { parentPort } from "node:worker_threads"

parentPort.on("message", (batch) => {
  const out = new Array((batch.length / 3) * 2)
  for (let i = 0, j = 0; i < batch.length; i += 3, j += 2) {
    out[j] = batch[i]
    out[j + 1] = batch[i + 2] + 1
  }
  parentPort.postMessage(out)
})
