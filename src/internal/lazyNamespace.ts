/**
 * A namespace of the package root that loads its module on first use (the
 * build's root, scripts/build.ts; the sources' `index.ts` exports every
 * namespace statically). Compiling the shared objects, locks, Manager and
 * Cluster was ~4 ms of the start of a program that uses only a Pool.
 *
 * The object stands for the module's namespace: the same keys, enumerable,
 * each the module's own export, and `Symbol.toStringTag` "Module". Its first
 * read loads the module synchronously (Node >= 22.12 `require`s an ES module)
 * and turns every key into a plain value, so later reads cost what a
 * namespace's do.
 */

/** @internal */
export const lazyNamespace = (load: () => Record<string, unknown>, keys: ReadonlyArray<string>): object => {
  const namespace = Object.create(null) as Record<PropertyKey, unknown>
  Object.defineProperty(namespace, Symbol.toStringTag, { value: "Module" })
  const resolve = () => {
    const module = load()
    for (const key of keys) {
      Object.defineProperty(namespace, key, { value: module[key], enumerable: true, writable: false, configurable: false })
    }
  }
  for (const key of keys) {
    Object.defineProperty(namespace, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        resolve()
        return namespace[key]
      }
    })
  }
  return Object.preventExtensions(namespace)
}
