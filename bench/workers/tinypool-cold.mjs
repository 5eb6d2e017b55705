// tinypool's cold-start worker (scenarios 4, 4u): one function and no import.
export const inc = (x) => x + 1
