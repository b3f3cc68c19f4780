// Load generator for bench/triage.ts, in its own process (as Slack is): sends N concurrent signed
// /triage commands to URL and prints each request's latency in ms as JSON.
//   npx tsx bench/ack-load.ts <url> <secret> <n>
import { sendSlashCommand } from '../test/support/slack-requests.js';

const [url, secret, n] = process.argv.slice(2);
const count = Number(n ?? 200);
// Warm up the connection pool and the receiver's code paths.
await sendSlashCommand(url!, secret!, { command: '/triage', text: 'help', channelId: 'CWARM' });
const latencies: number[] = [];
let failures = 0;
await Promise.all(
  Array.from({ length: count }, async (_, i) => {
    const t0 = performance.now();
    const res = await sendSlashCommand(url!, secret!, {
      command: '/triage',
      text: 'BenchJob',
      channelId: `CACK${i}`,
    });
    latencies.push(performance.now() - t0);
    if (res.status !== 200 || !/queued/.test(res.text)) failures++;
  }),
);
console.log(JSON.stringify({ latencies, failures }));
