import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two test files at once (vitest's default, the cores less one, runs one
    // at a time on 2 cores). Most tests wait on workers starting and stopping
    // rather than compute: 277 s -> 185-197 s for the suite here.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
