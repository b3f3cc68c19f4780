// Slack's side of Socket Mode, for tests: a WebSocket server (`ws`: Node 20 has a WebSocket client,
// no server) that speaks the envelope protocol @slack/socket-mode's client talks.
//
//   apps.connections.open (fake Slack, xapp- token) → { url: ws://127.0.0.1:port/link/?ticket=… }
//   the app connects with that one-time ticket → the server sends { type: 'hello', … }
//   server → app: { envelope_id, type: 'slash_commands' | 'interactive' | 'events_api', payload,
//                   accepts_response_payload }
//   app → server (the ack): { envelope_id, payload? }
//
//   const sm = await FakeSocketMode.start();
//   fake.socketMode = sm;                      // apps.connections.open now answers sm.newUrl()
//   … start the bot with SLACK_APP_TOKEN=xapp-… and SLACK_API_URL=fake.apiUrl …
//   const id = sm.send('slash_commands', slashCommandPayload({ command: '/triage', text: 'MyJob' }));
//   const ack = await sm.waitForAck(id, 3000); // Slack's deadline
//   await sm.stop();
import { EventEmitter } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { APP_ID } from './seed.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketAck {
  envelopeId: string;
  /** What the app answered with (a slash command's response, a view_submission's errors …). */
  payload?: Record<string, unknown>;
  /** When it arrived (performance.now()), and when its envelope was sent. */
  at: number;
  sentAt: number;
}

export class FakeSocketMode extends EventEmitter<{ ack: [SocketAck]; connection: [] }> {
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly sent = new Map<string, number>();
  readonly acks: SocketAck[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly base: string,
  ) {
    super();
    wss.on('connection', (ws, req) => {
      const ticket = new URL(req.url ?? '/', this.base).searchParams.get('ticket') ?? '';
      // Slack's URLs are good for one connection.
      if (!this.tickets.delete(ticket)) {
        ws.close(1008, 'invalid ticket');
        return;
      }
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        let msg: { envelope_id?: unknown; payload?: unknown };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        if (typeof msg.envelope_id !== 'string') return;
        const ack: SocketAck = {
          envelopeId: msg.envelope_id,
          at: performance.now(),
          sentAt: this.sent.get(msg.envelope_id) ?? Number.NaN,
          ...(msg.payload && typeof msg.payload === 'object'
            ? { payload: msg.payload as Record<string, unknown> }
            : {}),
        };
        this.acks.push(ack);
        this.emit('ack', ack);
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: this.sockets.size,
          debug_info: { host: 'fake-slack-socket-mode', approximate_connection_time: 18060 },
          connection_info: { app_id: APP_ID },
        }),
      );
      this.emit('connection');
    });
  }

  static async start(opts: { host?: string } = {}): Promise<FakeSocketMode> {
    const host = opts.host ?? '127.0.0.1';
    const wss = new WebSocketServer({ host, port: 0, path: '/link/' });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const { port } = wss.address() as AddressInfo;
    return new FakeSocketMode(wss, `ws://${host}:${port}`);
  }

  /** A fresh connection URL with a one-time ticket (what apps.connections.open answers). */
  newUrl(): string {
    const ticket = randomBytes(12).toString('hex');
    this.tickets.add(ticket);
    return `${this.base}/link/?ticket=${ticket}&app_id=${APP_ID}`;
  }

  /** Open connections from the app. */
  get connections(): number {
    return [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN).length;
  }

  /** Send one envelope to the app (on its newest connection); returns its envelope_id. */
  send(type: EnvelopeType, payload: Record<string, unknown>): string {
    const ws = [...this.sockets].reverse().find((s) => s.readyState === WebSocket.OPEN);
    if (!ws) throw new Error('no Socket Mode connection from the app');
    const envelopeId = randomUUID();
    this.sent.set(envelopeId, performance.now());
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
      }),
    );
    return envelopeId;
  }

  /** The app's ack of an envelope; fails when none arrives within `timeoutMs` of the call. */
  waitForAck(envelopeId: string, timeoutMs = 5000): Promise<SocketAck> {
    const seen = this.acks.find((a) => a.envelopeId === envelopeId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onAck = (a: SocketAck) => {
        if (a.envelopeId !== envelopeId) return;
        clearTimeout(timer);
        this.off('ack', onAck);
        resolve(a);
      };
      const timer = setTimeout(() => {
        this.off('ack', onAck);
        reject(new Error(`envelope ${envelopeId} was not acknowledged within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('ack', onAck);
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
