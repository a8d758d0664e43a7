/** Schemas shared by every area's contracts. */
import * as z from 'zod';

/** Identifiers: 1..256 characters, no control characters (they break logs, keys and URLs). */
export const Id = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(256, { error: 'must be at most 256 characters' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'must not contain control characters' });

/** Limits of free `attributes`: DynamoDB refuses nesting past 32 levels and items past 400 KB. */
export const ATTRIBUTE_LIMITS = { keys: 50, depth: 4, bytes: 8_192 } as const;

/** Nesting depth of a JSON value: 0 for a scalar, 1 for a flat object or array. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

/** Free attributes a customer attaches to an item or a user: a small JSON object. */
export const Attributes = z
  .record(
    z
      .string()
      .min(1, { error: 'keys must not be empty' })
      .max(128, { error: 'keys must be at most 128 characters' }),
    z.unknown(),
    {
      error: 'must be an object',
    },
  )
  .superRefine((attributes, ctx) => {
    const keys = Object.keys(attributes).length;
    if (keys > ATTRIBUTE_LIMITS.keys)
      ctx.addIssue({
        code: 'custom',
        message: `must have at most ${ATTRIBUTE_LIMITS.keys} keys, has ${keys}`,
      });
    const depth = depthOf(attributes);
    if (depth > ATTRIBUTE_LIMITS.depth)
      ctx.addIssue({
        code: 'custom',
        message: `must nest at most ${ATTRIBUTE_LIMITS.depth} levels, nests ${depth}`,
      });
    const bytes = Buffer.byteLength(JSON.stringify(attributes));
    if (bytes > ATTRIBUTE_LIMITS.bytes)
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${ATTRIBUTE_LIMITS.bytes} bytes as JSON, is ${bytes}`,
      });
  });

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
