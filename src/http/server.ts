// A plain HTTP server for the custom routes, used where no Bolt receiver runs (role worker), so
// a worker container still answers its HEALTHCHECK and exposes /metrics.
import { createServer, type Server } from 'node:http';
import type { CustomRoute } from '@slack/bolt';

export async function serveRoutes(routes: CustomRoute[], port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find(
      (r) =>
        r.path === path && (Array.isArray(r.method) ? r.method : [r.method]).includes(req.method ?? 'GET'),
    );
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
