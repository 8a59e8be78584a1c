/**
 * A test hook, named as such: with WORLDBENCH_TEST_PAUSE_AT=<phase> the process stops at that
 * phase of a start, says so on stderr, and waits there until it is killed, so fault tests can
 * kill -9 at an exact point of a start instead of guessing a moment. Does nothing otherwise.
 */
export async function pauseForTest(phase: string): Promise<void> {
  if (process.env.WORLDBENCH_TEST_PAUSE_AT !== phase) return
  process.stderr.write(`test hook: paused at ${phase}\n`)
  await new Promise<void>(() => setInterval(() => {}, 60_000))
}
