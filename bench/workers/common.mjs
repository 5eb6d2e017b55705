// The work every library runs, as plain functions in plain JS (so that no worker loads TypeScript).
export const inc = (x) => x + 1

export const echo = (a) => a

export const countPrimes = (limit) => {
  let count = 0
  for (let n = 2; n < limit; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false
        break
      }
    }
    if (prime) count++
  }
  return count
}
