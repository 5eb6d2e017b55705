// piscina's cold-start worker (scenarios 4, 4u): one function and no import, as ../../shared/probes' worker.
export const inc = (x) => x + 1
