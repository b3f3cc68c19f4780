// The JobPlatform and LogSource port contract, run against the Glue and CloudWatch Logs adapters
// on the cloud simulator through the official SDK clients.
import { SCENARIOS, startSimulator } from '../../sim/index.js';
import { createGluePlatform } from '../../src/providers/aws/glue-platform.js';
import { createCloudWatchLogSource } from '../../src/providers/aws/cloudwatch-logs.js';
import { jobPlatformContract } from './ports/job-platform-contract.js';

const credentials = { accessKeyId: 'sim', secretAccessKey: 'sim' };
const { base, myJob, oomJob, healthyJob, scripts } = SCENARIOS;

jobPlatformContract('Glue on the simulator', async () => {
  const sim = await startSimulator({ scenarios: [base, myJob, oomJob, healthyJob, scripts] });
  const opts = { region: 'us-east-1', endpoint: sim.url, credentials };
  const platform = createGluePlatform(opts);
  const logs = createCloudWatchLogSource(opts);
  return {
    platform,
    logs,
    jobWithHistory: 'OomJob',
    startableJob: 'MyJob-staging',
    startParameters: { dt: '2026-11-20', output_path: 's3://lake-staging/events/' },
    advance: (ms) => sim.state.clock.advance(ms),
    runTakesMs: 1_300_000,
    missingLogLocation: '/aws-glue/jobs/no-such-group',
    async close() {
      platform.client.destroy();
      logs.client.destroy();
      await sim.stop();
    },
  };
});
