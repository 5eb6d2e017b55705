// piscina worker for the transfer variant: hands the buffer back with move().
// Separate from piscina.mjs so that the other scenarios' workers do not load piscina's index.
import { move } from "piscina"

export const echo = (a) => move(a)
