import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * Where `vite build` puts the console: `dist/console`. From the built API (`dist/apps/api/src/console`)
 * that is four folders up; run from sources (tests), it is `dist/console` under the repository root.
 */
export function consoleDistDir(here = __dirname): string {
  const up = resolve(here, '../../../..');
  return basename(up) === 'dist' ? join(up, 'console') : join(up, 'dist', 'console');
}

/**
 * Serves the built console at `/console/` on the API's own origin (no token: it is static code; every
 * call it makes carries the user's token). Unknown paths under `/console/` get index.html, so the
 * page's own routes survive a reload. `/` and `/console` redirect to `/console/`. Nothing under
 * `/api/v1`, `/docs` or `/health` is touched. Returns false when the console is not built.
 */
export async function serveConsole(fastify: FastifyInstance, root: string): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) return false;
  // Loaded only when there is something to serve (it is an ES module: Node loads it; Jest's CommonJS cannot).
  const { default: fastifyStatic } = await import('@fastify/static');
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/console/',
    // Routes for the files present now; everything else under /console/ is the page's own route.
    wildcard: false,
    index: false,
    decorateReply: true,
    setHeaders: (reply, path) => {
      // Vite names built assets by their content hash: cache them; never cache the page itself.
      reply.header('cache-control', /[\/]assets[\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = (_req: unknown, reply: { header: (k: string, v: string) => unknown; sendFile: (f: string) => unknown }) => {
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  };
  fastify.get('/console/', page as never);
  fastify.get('/console/*', page as never);
  fastify.get('/console', (_req, reply) => reply.redirect('/console/'));
  fastify.get('/', (_req, reply) => reply.redirect('/console/'));
  return true;
}
