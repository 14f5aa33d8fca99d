import { createServer } from 'node:http';

/*
 * The HTTP floor: node's own HTTP server on the same route shape, parsing the JSON body and
 * answering a JSON object of about a case view's size, with no framework, auth or database.
 * Spawned by the benchmark as its own process, like the API: PORT from the environment.
 */

const view = JSON.stringify({ id: '00000000-0000-0000-0000-000000000000', state: 'awaitingAcceptance', version: 2, deadlines: [], events: ['ACCEPT', 'NOTE'], pad: 'x'.repeat(300) });

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => (body += d));
  req.on('end', () => {
    try {
      JSON.parse(body || '{}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(view);
    } catch {
      res.writeHead(400).end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('floor server listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
