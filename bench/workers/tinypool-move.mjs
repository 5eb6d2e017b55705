// tinypool worker for the transfer variant: hands the buffer back with move().
import Tinypool from "tinypool"

export const echo = (a) => Tinypool.move(a)
