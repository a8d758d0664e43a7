/** Schemas shared by every area's contracts. */
import * as z from 'zod';

/** Identifiers: 1..256 characters, no control characters (they break logs, keys and URLs). */
export const Id = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(256, { error: 'must be at most 256 characters' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'must not contain control characters' });

/** An opaque paging cursor handed out by a previous page. */
export const Cursor = z.string().min(1).max(2048);

/** `limit` query parameter: 1..max, default given. */
export const limitParam = (max: number, defaultValue: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` })
    .default(defaultValue);

/** A comma-separated list in a query string: `genres=Drama,Comedy`. */
export const csvParam = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** `true`/`false` in a query string. */
export const booleanParam = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
