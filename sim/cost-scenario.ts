// Cost-allocation tags on the scenario jobs (GetTags / ListJobs answer from these): the runbook's
// jobs carry `cost-center` and `owner`, DownstreamJob lacks its owner, and DriftJob carries no tag
// at all — the untagged job the cost controls name.
import type { Scenario } from './scenarios.js';

export const SCENARIO_TAGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  MyJob: { 'cost-center': 'growth', owner: 'data-eng' },
  'MyJob-compaction': { 'cost-center': 'growth', owner: 'data-eng' },
  'MyJob-staging': { 'cost-center': 'growth', owner: 'data-eng' },
  HealthyJob: { 'cost-center': 'growth', owner: 'metrics' },
  DownstreamJob: { 'cost-center': 'growth' },
  OomJob: { 'cost-center': 'finance', owner: 'orders' },
  SkewJob: { 'cost-center': 'finance', owner: 'orders' },
  SpillJob: { 'cost-center': 'ml', owner: 'ml-platform' },
  UdfJob: { 'cost-center': 'ml', owner: 'ml-platform' },
  GcJob: { 'cost-center': 'ml', owner: 'ml-platform' },
};

/** The job of the scenarios without a single tag. */
export const UNTAGGED_JOB = 'DriftJob';

/** Tags the jobs other scenarios created (run after them); jobs that are not there are skipped. */
export const costTags: Scenario = (state) => {
  for (const [name, tags] of Object.entries(SCENARIO_TAGS)) {
    const job = state.glue.jobs.get(name);
    if (job) job.Tags = { ...tags };
  }
};
