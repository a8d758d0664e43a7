/**
 * A stand-in for the Lambda API calls the models layer publisher makes: there is no Lambda
 * emulator, so a small HTTP server answers them and records what it was sent.
 */
import { type HttpStandIn, startHttpStandIn } from './http-stand-in.ts';

/** The models layer the stand-in holds versions 1-3 of. */
export const STAND_IN_MODELS_LAYER = 'marquee-test-models';
/** The other layer the stand-in's function carries (left alone by a models layer update). */
export const STAND_IN_RUNTIME_LAYER = 'arn:aws:lambda:us-east-1:000000000000:layer:OnnxRuntimeLayer:3';
/** The ARN of one version of the stand-in's models layer. */
export const standInLayerArn = (version: number) =>
  `arn:aws:lambda:us-east-1:000000000000:layer:${STAND_IN_MODELS_LAYER}:${version}`;
export interface RecordedCall {
  method: string;
  url: string;
  body: Record<string, unknown> | undefined;
}

/**
 * Answers PublishLayerVersion, ListLayerVersions, DeleteLayerVersion, GetFunctionConfiguration
 * ($LATEST or a qualifier), UpdateFunctionConfiguration, PublishVersion and UpdateAlias.
 */
export class LambdaStandIn {
  calls: RecordedCall[] = [];
  /** $LATEST's layers. */
  layers = [STAND_IN_RUNTIME_LAYER, standInLayerArn(3)];
  /** Published function versions' layers, by version number; `live` points at one of them. */
  functionVersions = new Map<string, string[]>([['1', [STAND_IN_RUNTIME_LAYER, standInLayerArn(3)]]]);
  liveVersion = '1';
  revision = 1;
  /** What the update ends as, and how many polls it stays InProgress for. */
  updateOutcome: 'Successful' | 'Failed' = 'Successful';
  inProgressPolls = 0;
  private published = 3;
  /** Layer versions that exist (listed, deletable). */
  existing = new Set([1, 2, 3]);
  private standIn: HttpStandIn | undefined;

  async start(): Promise<string> {
    this.standIn = await startHttpStandIn((req, res) => {
      const { body } = req;
      this.calls.push(req);
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'POST' && req.url === `/2018-10-31/layers/${STAND_IN_MODELS_LAYER}/versions`) {
        this.published += 1;
        this.existing.add(this.published);
        return reply(201, { LayerVersionArn: standInLayerArn(this.published), Version: this.published });
      }
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method === 'GET' && url.pathname === `/2018-10-31/layers/${STAND_IN_MODELS_LAYER}/versions`) {
        // Two versions a page, newest first, as Lambda lists them.
        const all = [...this.existing].sort((a, b) => b - a);
        const start = Number(url.searchParams.get('Marker') ?? 0);
        const next = start + 2 < all.length ? String(start + 2) : undefined;
        return reply(200, {
          LayerVersions: all
            .slice(start, start + 2)
            .map((Version) => ({ Version, LayerVersionArn: standInLayerArn(Version) })),
          ...(next ? { NextMarker: next } : {}),
        });
      }
      const deleted = new RegExp(`^/2018-10-31/layers/${STAND_IN_MODELS_LAYER}/versions/(\\d+)$`).exec(
        url.pathname,
      );
      if (req.method === 'DELETE' && deleted) {
        this.existing.delete(Number(deleted[1]));
        res.writeHead(204);
        return res.end();
      }
      const published = /^\/2015-03-31\/functions\/([^/]+)\/versions$/.exec(url.pathname)?.[1];
      if (published && req.method === 'POST') {
        if (body?.RevisionId !== `rev-${this.revision}`) return reply(412, { message: 'revision changed' });
        const version = String(this.functionVersions.size + 1);
        this.functionVersions.set(version, [...this.layers]);
        return reply(201, { FunctionName: published, Version: version, State: 'Active' });
      }
      const aliased = /^\/2015-03-31\/functions\/([^/]+)\/aliases\/live$/.exec(url.pathname)?.[1];
      if (aliased && req.method === 'PUT') {
        this.liveVersion = String(body?.FunctionVersion);
        return reply(200, { Name: 'live', FunctionVersion: this.liveVersion });
      }
      const fn = /^\/2015-03-31\/functions\/([^/]+)\/configuration/.exec(req.url ?? '')?.[1];
      const qualifier = url.searchParams.get('Qualifier');
      if (fn && req.method === 'GET' && qualifier) {
        const version = qualifier === 'live' ? this.liveVersion : qualifier;
        const layers = this.functionVersions.get(version);
        if (!layers) return reply(404, { message: `no version ${qualifier}` });
        return reply(200, {
          FunctionName: fn,
          Version: version,
          Layers: layers.map((Arn) => ({ Arn, CodeSize: 1 })),
          State: 'Active',
          LastUpdateStatus: 'Successful',
        });
      }
      if (fn && req.method === 'GET') {
        const inProgress = this.inProgressPolls > 0;
        if (inProgress) this.inProgressPolls -= 1;
        return reply(200, {
          FunctionName: fn,
          Layers: this.layers.map((Arn) => ({ Arn, CodeSize: 1 })),
          RevisionId: `rev-${this.revision}`,
          LastUpdateStatus: inProgress ? 'InProgress' : this.updateOutcome,
          ...(this.updateOutcome === 'Failed' ? { LastUpdateStatusReason: 'layer too large' } : {}),
        });
      }
      if (fn && req.method === 'PUT') {
        this.layers = (body?.Layers as string[]) ?? this.layers;
        this.revision += 1;
        this.inProgressPolls = 2;
        return reply(200, { FunctionName: fn, LastUpdateStatus: 'InProgress' });
      }
      reply(404, { message: `no route for ${req.method} ${req.url}` });
    });
    return this.standIn.url;
  }

  async stop(): Promise<void> {
    await this.standIn?.stop();
  }
}
