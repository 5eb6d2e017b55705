/**
 * A slot's jobs in flight, by id: an open-addressed table (linear probing,
 * deletion by backward shift) that grows and never shrinks.
 *
 * A `Map` here was rehashed each time a slot's calls in flight rose and fell,
 * hundreds of times a second under a map of tiny calls. A table left behind by
 * a rehash keeps a link to its successor and, once promoted, kept the next
 * tables and their jobs alive through every scavenge: most of the main
 * thread's garbage-collection time in such a map.
 */

// Job ids are positive integers handed out in order, so `id & mask` spreads a
// window of them without collisions; 0 marks an empty bucket.
export class JobTable<V> {
  #keys = new Float64Array(16)
  #values: Array<V | undefined> = new Array(16).fill(undefined)
  #mask = 15
  size = 0

  get(id: number): V | undefined {
    const keys = this.#keys
    for (let i = id & this.#mask;; i = (i + 1) & this.#mask) {
      const key = keys[i]
      if (key === id) return this.#values[i]
      if (key === 0) return undefined
    }
  }

  set(id: number, value: V): void {
    if (2 * (this.size + 1) > this.#keys.length) this.#grow()
    const keys = this.#keys
    for (let i = id & this.#mask;; i = (i + 1) & this.#mask) {
      const key = keys[i]
      if (key === id) {
        this.#values[i] = value
        return
      }
      if (key === 0) {
        keys[i] = id
        this.#values[i] = value
        this.size++
        return
      }
    }
  }

  delete(id: number): boolean {
    const keys = this.#keys
    const mask = this.#mask
    let i = id & mask
    for (;; i = (i + 1) & mask) {
      const key = keys[i]
      if (key === id) break
      if (key === 0) return false
    }
    this.size--
    // Move back each later entry of the run that may no longer be reached.
    for (let j = (i + 1) & mask;; j = (j + 1) & mask) {
      const key = keys[j]
      if (key === 0) break
      const home = key & mask
      // the entry stays if its home lies cyclically in (i, j]
      if (i <= j ? (home > i && home <= j) : (home > i || home <= j)) continue
      keys[i] = key
      this.#values[i] = this.#values[j]
      i = j
    }
    keys[i] = 0
    this.#values[i] = undefined
    return true
  }

  /** The jobs, in the order they were given ids. */
  values(): Array<V> {
    const ids: Array<number> = []
    for (const key of this.#keys) if (key !== 0) ids.push(key)
    return ids.sort((a, b) => a - b).map((id) => this.get(id)!)
  }

  clear(): void {
    this.#keys.fill(0)
    this.#values.fill(undefined)
    this.size = 0
  }

  #grow(): void {
    const keys = this.#keys
    const values = this.#values
    this.#keys = new Float64Array(2 * keys.length)
    this.#values = new Array(2 * keys.length).fill(undefined)
    this.#mask = 2 * keys.length - 1
    this.size = 0
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.set(keys[i], values[i]!)
  }
}
