// The tags capability of the Glue adapter (src/providers/aws/glue-tags.ts) against the simulator,
// through the official SDK client: GetTags on the ARN it builds, the account from the job's role or
// the credentials, ListJobs by tag (paged), the exact tag-resource command, and errors mapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TagResourceCommand } from '@aws-sdk/client-glue';
import {
  SCENARIOS,
  SCENARIO_TAGS,
  SIM_ACCOUNT,
  UNTAGGED_JOB,
  startSimulator,
  type Simulator,
} from '../../sim/index.js';
import { createGluePlatform, type GluePlatform } from '../../src/providers/aws/glue-platform.js';
import { ProviderError, type JobTags } from '../../src/providers/ports.js';

const { base, myJob, oomJob, driftJob, healthyJob, costTags } = SCENARIOS;

async function withGlue(
  t: { after: (fn: () => Promise<void>) => void },
  credentials: { accessKeyId: string; secretAccessKey: string; accountId?: string } = {
    accessKeyId: 'sim',
    secretAccessKey: 'sim',
  },
): Promise<{ sim: Simulator; glue: GluePlatform; tags: JobTags }> {
  const sim = await startSimulator({ scenarios: [base, myJob, oomJob, driftJob, healthyJob, costTags] });
  const glue = createGluePlatform({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 });
  t.after(async () => {
    glue.client.destroy();
    await sim.stop();
  });
  assert.ok(glue.tags, 'the Glue adapter has the tags capability');
  return { sim, glue, tags: glue.tags };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

test("tags of a job: GetTags on the ARN built from the job's role; the account is looked up once", async (t) => {
  const { sim, tags } = await withGlue(t);
  assert.deepEqual(await tags.get('MyJob'), SCENARIO_TAGS.MyJob);
  assert.deepEqual(await tags.get('OomJob'), SCENARIO_TAGS.OomJob);
  assert.deepEqual(await tags.get(UNTAGGED_JOB), {});
  const calls = sim.requests({ service: 'glue' }).map((r) => [r.operation, r.params]);
  assert.deepEqual(calls, [
    ['GetJob', { JobName: 'MyJob' }],
    ['GetTags', { ResourceArn: `arn:aws:glue:us-east-1:${SIM_ACCOUNT}:job/MyJob` }],
    ['GetTags', { ResourceArn: `arn:aws:glue:us-east-1:${SIM_ACCOUNT}:job/OomJob` }],
    ['GetTags', { ResourceArn: `arn:aws:glue:us-east-1:${SIM_ACCOUNT}:job/${UNTAGGED_JOB}` }],
  ]);
});

test('credentials that carry the account: no GetJob; a wrong account is refused by Glue', async (t) => {
  const right = await withGlue(t, { accessKeyId: 'sim', secretAccessKey: 'sim', accountId: SIM_ACCOUNT });
  assert.deepEqual(await right.tags.get('HealthyJob'), SCENARIO_TAGS.HealthyJob);
  assert.deepEqual(
    right.sim.requests({ service: 'glue' }).map((r) => r.operation),
    ['GetTags'],
  );
  const wrong = await withGlue(t, { accessKeyId: 'sim', secretAccessKey: 'sim', accountId: '999999999999' });
  const err = await rejectsWith(wrong.tags.get('HealthyJob'), 'ACCESS_DENIED');
  assert.equal(err.action, 'glue:GetTags');
});

test('a role stored as a bare name and no account in the credentials: say to set AWS_ACCOUNT_ID', async (t) => {
  const { sim, tags } = await withGlue(t);
  sim.state.glue.jobs.get('MyJob')!.Role = 'GlueJobRole';
  const err = await rejectsWith(tags.get('MyJob'), 'INVALID_INPUT');
  assert.match(err.message, /AWS_ACCOUNT_ID/);
  // Not cached: once the role is an ARN the next call works.
  sim.state.glue.jobs.get('MyJob')!.Role = `arn:aws:iam::${SIM_ACCOUNT}:role/GlueJobRole`;
  assert.deepEqual(await tags.get('MyJob'), SCENARIO_TAGS.MyJob);
});

test('an unknown job is NOT_FOUND; refused GetTags names the action', async (t) => {
  const { sim, tags } = await withGlue(t);
  await rejectsWith(tags.get('NoSuchJob'), 'NOT_FOUND');
  assert.deepEqual(await tags.get('MyJob'), SCENARIO_TAGS.MyJob);
  sim.setFaults([{ service: 'glue', operation: 'GetTags', error: 'denied' }]);
  const err = await rejectsWith(tags.get('MyJob'), 'ACCESS_DENIED');
  assert.equal(err.action, 'glue:GetTags');
  // The same through the ARN's job: fault rules match the job a tag call names.
  sim.setFaults([{ service: 'glue', resource: 'OomJob', error: 'denied' }]);
  await rejectsWith(tags.get('OomJob'), 'ACCESS_DENIED');
  assert.deepEqual(await tags.get('HealthyJob'), SCENARIO_TAGS.HealthyJob);
});

test('jobs with a tag: ListJobs filtered by the tag, every page, sorted', async (t) => {
  const { sim, tags } = await withGlue(t);
  const growth = Object.entries(SCENARIO_TAGS)
    .filter(([name, tg]) => tg['cost-center'] === 'growth' && sim.state.glue.jobs.has(name))
    .map(([name]) => name)
    .sort();
  assert.deepEqual(await tags.jobsWith!('cost-center', 'growth'), growth);
  assert.deepEqual(await tags.jobsWith!('cost-center', 'nobody'), []);
  // 1,500 more tagged jobs: two pages of ListJobs.
  for (let i = 0; i < 1500; i++)
    sim.state.glue.addJob({ Name: `Bulk-${String(i).padStart(4, '0')}`, Tags: { team: 'bulk' } });
  sim.clearRequests();
  const bulk = await tags.jobsWith!('team', 'bulk');
  assert.equal(bulk.length, 1500);
  assert.equal(bulk[0], 'Bulk-0000');
  const pages = sim.requests({ operation: 'ListJobs' });
  assert.equal(pages.length, 2);
  assert.deepEqual(pages[0]!.params, { MaxResults: 1000, Tags: { team: 'bulk' } });
});

test('the tag command is exact: its ARN and tags, sent as they are, tag the job', async (t) => {
  const { glue, tags } = await withGlue(t);
  const cmd = await tags.tagCommand('DownstreamJob', ['owner']);
  assert.equal(
    cmd,
    `aws glue tag-resource --region us-east-1 --resource-arn arn:aws:glue:us-east-1:${SIM_ACCOUNT}:job/DownstreamJob --tags-to-add owner=VALUE`,
  );
  // What the AWS CLI would send for it, with a value chosen.
  const arn = /--resource-arn (\S+)/.exec(cmd)![1]!;
  const pairs = /--tags-to-add (\S+)/.exec(cmd)![1]!.split(',');
  const tagsToAdd = Object.fromEntries(pairs.map((p) => [p.split('=')[0]!, 'data-eng']));
  await glue.client.send(new TagResourceCommand({ ResourceArn: arn, TagsToAdd: tagsToAdd }));
  assert.deepEqual(await tags.get('DownstreamJob'), { ...SCENARIO_TAGS.DownstreamJob, owner: 'data-eng' });
  // Keys the shorthand cannot carry go as JSON; names with spaces are quoted.
  assert.match(
    await tags.tagCommand('MyJob', ['cost center', 'owner']),
    /--tags-to-add '\{"cost center":"VALUE","owner":"VALUE"\}'$/,
  );
});

test('the scale capability knows the DPUs of a size', async (t) => {
  const { glue } = await withGlue(t);
  assert.equal(glue.scaling?.unitsOf?.('G.2X', 10), 20);
  assert.equal(glue.scaling?.unitsOf?.('G.025X', 4), 1);
  assert.equal(glue.scaling?.unitsOf?.('X.9X', 4), undefined);
});
