import { describe, expect, it } from 'vitest';
import { inParallel } from '#local/worker-pool.ts';

describe('inParallel', () => {
  it('runs every task once with no more than the given number in flight', async () => {
    // Prepare
    const tasks = Array.from({ length: 23 }, (_, i) => i);
    const done: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;

    // Act
    await inParallel(tasks, 4, async (task) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, task % 3));
      done.push(task);
      inFlight--;
    });

    // Assess
    expect([...done].sort((a, b) => a - b)).toEqual(tasks);
    expect(mostInFlight).toBe(4);
  });

  it('rejects with the error a task threw', async () => {
    const failing = inParallel([1, 2, 3], 2, async (task) => {
      if (task === 2) throw new Error('task 2 failed');
    });

    await expect(failing).rejects.toThrow('task 2 failed');
  });
});
