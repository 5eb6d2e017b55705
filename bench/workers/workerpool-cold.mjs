// workerpool's cold-start worker (scenarios 4, 4u): workerpool and one function.
import workerpool from "workerpool"

workerpool.worker({ inc: (x) => x + 1 })
