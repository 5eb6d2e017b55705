// workerpool worker: registers the functions by name (`exec(name, [arg])`).
import workerpool from "workerpool"
import { countPrimes, echo, inc } from "./common.mjs"

workerpool.worker({
  inc,
  echo,
  countPrimes,
  // The transfer variant: the buffer goes back in the transfer list.
  echoT: (a) => new workerpool.Transfer(a, [a.buffer])
})
