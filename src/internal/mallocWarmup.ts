/**
 * Raises glibc malloc's adaptive thresholds once per process, before the
 * first worker starts.
 *
 * glibc serves a block below its mmap threshold (128 KiB at first) from the
 * heap, and gives the heap's top back to the kernel once it is larger than
 * the trim threshold (twice the mmap threshold). Both thresholds rise, up to
 * 32 / 64 MiB, the first time the process frees a mapped block larger than
 * the mmap threshold. Copying large values (each message's buffer, each copy
 * the receiver keeps until the next garbage collection) grows and shrinks the
 * heap by tens of MiB between collections: with low thresholds the freed top
 * is given back and every later copy faults its pages in again (a 1 MiB round
 * trip took 500 µs instead of 200 in most fresh processes here). Whether a
 * program had freed such a block before was luck of what it loaded.
 *
 * Freeing one 31.5 MiB block (zeroed by mmap, never touched: ~0.1 ms) raises
 * the thresholds as glibc itself would after any large free. Elsewhere (musl,
 * macOS, Windows) it is one allocation freed.
 */
let done = false

export const raiseMallocThresholds = (): void => {
  if (done) return
  done = true
  try {
    // `transfer(0)` detaches the buffer and frees its memory at once (a
    // collection would free it at some unknown later time).
    new ArrayBuffer(31.5 * 1024 * 1024).transfer(0)
  } catch {
    // refused (a small address-space limit): only the speed-up is lost
  }
}
