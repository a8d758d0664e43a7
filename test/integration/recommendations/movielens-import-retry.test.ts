/**
 * The MovieLens import against a stand-in API that throttles: the import must retry 429s (with
 * backoff) instead of aborting, and still stop at once on a client error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarqueeClient, unwrap } from '#client/index.ts';
import { retried } from '#local/movielens-import.ts';
import { type HttpStandIn, startHttpStandIn } from '../../support/http-stand-in.ts';

/** Answers each request with the next status of `script` (then 202), recording the bodies. */
class ThrottlingApi {
  script: number[] = [];
  received: unknown[] = [];
  private standIn: HttpStandIn | undefined;

  async start(): Promise<string> {
    this.standIn = await startHttpStandIn((request, res) => {
      const status = this.script.shift() ?? 202;
      if (status < 300) this.received.push(request.body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { accepted: true } : { title: `status ${status}` }));
    });
    return this.standIn.url;
  }

  async stop(): Promise<void> {
    await this.standIn?.stop();
  }
}

describe('MovieLens import requests', () => {
  const api = new ThrottlingApi();
  let url: string;
  beforeAll(async () => {
    url = await api.start();
  });
  afterAll(() => api.stop());

  const event = { userId: 'u1', itemId: 'i1', type: 'play' as const };
  const postEvents = () =>
    unwrap(createMarqueeClient({ baseUrl: url }).POST('/events', { body: { events: [event] } }));

  it('retries a throttled batch until it is accepted, instead of aborting the import', async () => {
    api.script = [429, 429, 503];
    api.received = [];

    await retried(postEvents);

    expect(api.received).toEqual([{ events: [event] }]);
    expect(api.script).toEqual([]);
  });

  it('gives up after the retries, naming the last answer', async () => {
    api.script = [429, 429, 429];

    await expect(retried(postEvents, 2)).rejects.toThrow(/answered 429/);
  });

  it('does not retry a client error: it fails at once with the API answer', async () => {
    api.script = [400, 429];
    api.received = [];

    await expect(retried(postEvents)).rejects.toThrow(/answered 400/);
    expect(api.script).toEqual([429]);
  });
});
