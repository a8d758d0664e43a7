import { describe, expect, it } from 'vitest';
import { siteFile } from '#local/console-site.ts';

describe('the local console site', () => {
  it('maps /console and /docs paths to built files, and leaves every other path to the API', () => {
    expect(siteFile('/console')).toBe('console/index.html');
    expect(siteFile('/console/app.js')).toBe('console/app.js');
    expect(siteFile('/console/audience/users/u00042')).toBe('console/audience/users/u00042');
    expect(siteFile('/docs')).toBe('docs/index.html');
    expect(siteFile('/docs/swagger-ui.css')).toBe('docs/swagger-ui.css');
    expect(siteFile('/consoles')).toBeUndefined();
    expect(siteFile('/openapi.json')).toBeUndefined();
  });

  it('refuses paths that climb out of the site, encoded or not', () => {
    expect(siteFile('/console/../package.json')).toBeUndefined();
    expect(siteFile('/console/%2e%2e/%2e%2e/package.json')).toBeUndefined();
    expect(siteFile('/docs/%E0%A4%A')).toBeUndefined();
  });
});
