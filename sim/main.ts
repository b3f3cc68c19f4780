// `npm run sim`: the simulator alone, on PORT (default 4566), printing what to export.
import { startSimulator } from './simulator.js';

const port = Number(process.env.PORT ?? 4566);
const speed = process.env.SIM_SPEED ? Number(process.env.SIM_SPEED) : 1;
// The Azure side (HTTPS, AZURE_PORT, default a free port) unless SIM_AZURE=false.
const azurePort = Number(process.env.AZURE_PORT ?? 0);
const withAzure = process.env.SIM_AZURE !== 'false';
const sim = await startSimulator({
  port,
  host: process.env.HOST ?? '127.0.0.1',
  speed,
  ...(withAzure ? { azure: { port: azurePort } } : {}),
});
console.log(`Pipeline Medic cloud simulator (Glue, CloudWatch Logs, S3) listening at ${sim.url}`);
console.log(`admin API: ${sim.url}/_sim/state · /_sim/requests · /_sim/faults · /_sim/reset · /_sim/clock`);
if (sim.azure) {
  console.log(
    `Azure side (Synapse, Log Analytics, Azure Monitor, ARM, managed identity) at ${sim.azure.url}`,
  );
  console.log(`  Synapse workspace endpoint (workspaceEndpoint:): ${sim.azure.workspaceEndpoint()}`);
  console.log(
    `  admin API: ${sim.azure.url}/_sim/azure/state · /requests · /faults · /reset · /clock · /runs`,
  );
}
console.log('\nexport these to point the AWS SDK, the Azure SDK (and the bot) at it:\n');
for (const [k, v] of Object.entries(sim.env())) console.log(`export ${k}=${v}`);
const stop = () => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
