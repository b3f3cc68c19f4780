// Benchmark of the Synapse platform's getJob (issue 12): the pipeline definition and the Spark
// runtime behind it are two data-plane reads (GET pipeline, then the notebook / Spark job
// definition or the pool), which the platform keeps for `definitionTtlMs` (60 s by default).
// Against the Azure simulator over HTTPS (the real DefaultAzureCredential through its
// managed-identity endpoint) with `--latency` ms added to every Azure request: getJob cold (a
// platform whose memo is empty: a new one each time) against cached (the same platform again
// within the TTL), median of `--runs`, with the data-plane requests each made. Prints a table.
//
//   npx tsx bench/synapse-getjob.ts [--runs 20] [--latency 40]
import { cpus, loadavg, totalmem } from 'node:os';
import { trustedSimulatorCa } from '../sim/azure/trust.js';
import { startAzureSimulator } from '../sim/azure/index.js';
import { AZURE_SIM, SALES_PIPELINE } from '../sim/azure/scenarios.js';
import { createSynapsePlatform } from '../src/providers/azure/synapse-platform.js';
import { createAzureCredential } from '../src/providers/azure/azure-credential.js';

const simCa = await trustedSimulatorCa();

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const RUNS = arg('runs', 20);
const LATENCY = arg('latency', 40);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const sim = await startAzureSimulator({ ca: simCa });
process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
process.env.IDENTITY_HEADER = sim.identityHeader;
sim.setFaults([{ latencyMs: LATENCY }]);
const credential = createAzureCredential();
const platform = () =>
  createSynapsePlatform({
    credential,
    jobs: {
      [SALES_PIPELINE.name]: {
        workspace: AZURE_SIM.workspace,
        workspaceEndpoint: sim.workspaceEndpoint(),
        sparkPool: AZURE_SIM.sparkPool,
      },
    },
    azure: { subscriptionId: AZURE_SIM.subscriptionId, resourceGroup: AZURE_SIM.resourceGroup },
    armUrl: sim.url,
  });
const synapseCalls = () => sim.requests({ service: 'synapse' }).length;

// The token once, outside the timings (a triage has it already).
await platform().getJob(SALES_PIPELINE.name);
let coldOps = '';
const rows = {
  cold: [] as number[],
  cached: [] as number[],
  coldCalls: [] as number[],
  cachedCalls: [] as number[],
};
for (let i = 0; i < RUNS; i++) {
  const p = platform();
  let n = synapseCalls();
  let t0 = performance.now();
  await p.getJob(SALES_PIPELINE.name);
  rows.cold.push(performance.now() - t0);
  rows.coldCalls.push(synapseCalls() - n);
  coldOps = sim
    .requests({ service: 'synapse' })
    .slice(n)
    .map((r) => r.operation)
    .join(', ');
  n = synapseCalls();
  t0 = performance.now();
  await p.getJob(SALES_PIPELINE.name);
  rows.cached.push(performance.now() - t0);
  rows.cachedCalls.push(synapseCalls() - n);
}
await sim.stop();

const f = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(
  `\nSynapse getJob — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at the end; ${LATENCY} ms per Azure request, ${RUNS} runs\n`,
);
console.log('| getJob | median | min | max | data-plane requests |');
console.log('| --- | --- | --- | --- | --- |');
for (const [label, xs, calls] of [
  ['cold (memo empty)', rows.cold, rows.coldCalls],
  ['cached (same platform, within the TTL)', rows.cached, rows.cachedCalls],
] as const)
  console.log(
    `| ${label} | ${f(median(xs))} | ${f(Math.min(...xs))} | ${f(Math.max(...xs))} | ${median([...calls])} |`,
  );
console.log(`\ncold getJob's requests: ${coldOps}`);
process.exit(0);
