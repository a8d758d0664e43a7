/** List operations' pages: at most 20 items, opaque offset tokens, as the service's ListJobs/ListPresets. */
import { BadRequestException } from './api-errors.ts';

/** One page of `items` from `nextToken` (an encoded offset); the token of the next page, if any. */
export function pageOf<T>(items: T[], query: { maxResults?: number; nextToken?: string }) {
  const start = query.nextToken ? Number(Buffer.from(query.nextToken, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new BadRequestException('nextToken is invalid');
  const size = Math.min(20, Math.max(1, query.maxResults ?? 20));
  const page = items.slice(start, start + size);
  const nextToken =
    start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return { page, nextToken };
}

/** Oldest first, or newest first unless `order` is ASCENDING (the service's default is DESCENDING). */
export function ordered<T extends { createdAt: Date; name: string }>(
  items: T[],
  order: string | undefined,
): T[] {
  const sorted = [...items].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name),
  );
  return order === 'ASCENDING' ? sorted : sorted.reverse();
}
