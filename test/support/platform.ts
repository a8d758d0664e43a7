/** Starts the local platform for one integration test file and gives a small HTTP client. */
import { type LocalPlatform, type PlatformOptions, startPlatform } from '#local/platform.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestPlatform extends LocalPlatform {
  api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
}

export async function startTestPlatform(options: PlatformOptions = {}): Promise<TestPlatform> {
  const platform = await startPlatform({ mediaConvert: false, ...options });
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const raw = typeof body === 'string' || body instanceof Uint8Array;
    const response = await fetch(`${platform.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
        ...(platform.token ? { authorization: `Bearer ${platform.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? (body as string) : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  };
  return Object.assign(platform, { api });
}
