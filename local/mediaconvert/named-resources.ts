/** Presets and job templates alike: resources kept by name, listed by category, newest first. */
import { BadRequestException, MediaConvertApiError } from './api-errors.ts';
import { ordered, pageOf } from './paging.ts';

export interface NamedResource {
  name: string;
  category?: string;
  createdAt: Date;
}

export class NamedResources<T extends NamedResource> {
  private readonly items = new Map<string, T>();

  /** `kind` names the resource in messages: "preset", "job template". */
  constructor(private readonly kind: string) {}

  /** The name a Create call gives, or a 400; a taken name is a 409 as in the service. */
  checkNewName(name: unknown): string {
    if (typeof name !== 'string' || name.length === 0) throw new BadRequestException('name is required');
    if (this.items.has(name)) {
      throw new MediaConvertApiError(
        409,
        'ConflictException',
        `A ${this.kind} named ${name} already exists.`,
      );
    }
    return name;
  }

  add(item: T): T {
    this.items.set(item.name, item);
    return item;
  }

  find(name: string): T | undefined {
    return this.items.get(name);
  }

  /** The resource, or the service's 404. */
  get(name: string): T {
    const item = this.items.get(name);
    if (!item) throw this.notFound(name);
    return item;
  }

  /** One page, newest first unless ASCENDING, optionally of one category. */
  list(query: { category?: string; maxResults?: number; nextToken?: string; order?: string }) {
    const items = ordered([...this.items.values()], query.order).filter(
      (item) => !query.category || item.category === query.category,
    );
    return pageOf(items, query);
  }

  delete(name: string): void {
    if (!this.items.delete(name)) throw this.notFound(name);
  }

  private notFound(name: string): MediaConvertApiError {
    return new MediaConvertApiError(
      404,
      'NotFoundException',
      `The specified ${this.kind} ${name} does not exist.`,
    );
  }
}
