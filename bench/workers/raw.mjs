// The floor: a hand-written worker_threads worker. A message is a flat batch
// [id, name, arg, id, name, arg, ...]; the reply is [id, result, id, result, ...].
// "echoT" answers a one-call batch with its buffer in the transfer list.
import { parentPort } from "node:worker_threads"
import { countPrimes, echo, inc } from "./common.mjs"

const fns = { inc, echo, countPrimes }

parentPort.on("message", (batch) => {
  if (batch[1] === "echoT") {
    parentPort.postMessage([batch[0], batch[2]], [batch[2].buffer])
    return
  }
  const out = new Array((batch.length / 3) * 2)
  for (let i = 0, j = 0; i < batch.length; i += 3, j += 2) {
    out[j] = batch[i]
    out[j + 1] = fns[batch[i + 1]](batch[i + 2])
  }
  parentPort.postMessage(out)
})
