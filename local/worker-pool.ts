/** A fixed number of workers taking tasks in order until none remain. */

/**
 * Runs `run` over every task, in order, with at most `concurrency` in flight. Rejects with the
 * first failure; the other workers still take the remaining tasks.
 */
export async function inParallel<T>(
  tasks: readonly T[],
  concurrency: number,
  run: (task: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) await run(tasks[next++]);
    }),
  );
}
