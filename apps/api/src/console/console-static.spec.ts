import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { consoleDistDir, serveConsole } from './console-static';

describe('consoleDistDir', () => {
  it('is dist/console from the built API and from the sources alike', () => {
    expect(consoleDistDir('/srv/shouhu/dist/apps/api/src/console')).toBe('/srv/shouhu/dist/console');
    expect(consoleDistDir('/srv/shouhu/apps/api/src/console')).toBe('/srv/shouhu/dist/console');
  });
});

// Serving a built console is tested on the built stack (test/console), where Node loads @fastify/static.
describe('serveConsole', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shouhu-console-'));
    app = Fastify();
    app.get('/api/v1/health', async () => ({ ok: true }));
  });

  afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves nothing and says so when the console is not built', async () => {
    expect(await serveConsole(app, dir)).toBe(false);
    expect((await app.inject('/console/')).statusCode).toBe(404);
    expect((await app.inject('/api/v1/health')).statusCode).toBe(200);
  });
});
