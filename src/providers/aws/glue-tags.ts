// The tags capability over Glue: GetTags on the job's ARN, ListJobs filtered by a tag, and the exact
// `aws glue tag-resource` command that adds what is missing.
//
// Glue returns no ARN for a job, so it is built: arn:<partition>:glue:<region>:<account>:job/<name>.
// The account comes, in order, from the resolved credentials (the SDK fills `accountId` from
// AWS_ACCOUNT_ID, SSO and assumed roles) or from the job's own Role when Glue stores it as an ARN
// (the console and most tools do; a job's role is always in the job's account). Both cost no call
// beyond one GetJob, so no STS client is needed; the account is then cached for the adapter. A job
// whose role is a bare name with credentials that carry no account says to set AWS_ACCOUNT_ID.
import { GetJobCommand, GetTagsCommand, paginateListJobs, type GlueClient } from '@aws-sdk/client-glue';
import { z } from 'zod';
import { ProviderError, type JobTags } from '../ports.js';
import { mapAwsError, unreadable } from './errors.js';
import { shellWord } from '../shell-word.js';

/** Tagged jobs listed at most (ListJobs pages of 1,000). */
export const MAX_TAGGED_JOBS = 2000;

const TagsAnswer = z.object({ Tags: z.record(z.string(), z.string()).optional().nullable() });
const JobAnswer = z.object({
  Job: z.object({ Role: z.string().optional().nullable() }).optional().nullable(),
});
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\//;

export interface AccountRef {
  partition: string;
  account: string;
}

/** The partition of a region: aws-cn for China, aws-us-gov for GovCloud, else aws. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function glueJobArn(ref: AccountRef, region: string, job: string): string {
  return `arn:${ref.partition}:glue:${region}:${ref.account}:job/${job}`;
}

export { shellWord };

/** `--tags-to-add` in the CLI's shorthand (k=VALUE,…), or JSON when a key would break the shorthand. */
export function tagsToAdd(missing: readonly string[]): string {
  const keys = [...new Set(missing)];
  if (keys.every((k) => /^[A-Za-z0-9_\-.:/@+]+$/.test(k))) return keys.map((k) => `${k}=VALUE`).join(',');
  return shellWord(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 'VALUE']))));
}

export function glueTags(client: GlueClient, region: () => Promise<string>): JobTags {
  let accountRef: Promise<AccountRef> | undefined;

  async function resolveAccount(job: string): Promise<AccountRef> {
    const r = await region();
    const creds = await client.config.credentials();
    if (creds.accountId && /^\d{12}$/.test(creds.accountId))
      return { partition: partitionOf(r), account: creds.accountId };
    let raw;
    try {
      raw = await client.send(new GetJobCommand({ JobName: job }));
    } catch (err) {
      throw mapAwsError(err, { service: 'Glue', action: 'glue:GetJob', subject: `Glue job ${job}` });
    }
    const parsed = JobAnswer.safeParse(raw);
    if (!parsed.success) throw unreadable(`the definition of job ${job}`, parsed.error);
    const role = parsed.data.Job?.Role ?? '';
    const m = ROLE_ARN.exec(role);
    if (!m)
      throw new ProviderError(
        'INVALID_INPUT',
        `the AWS account of Glue job ${job} is unknown (its role is not an ARN and the credentials carry no account id); set AWS_ACCOUNT_ID`,
        { retryable: false },
      );
    return { partition: m[1]!, account: m[2]! };
  }

  /** The job's ARN; the account is looked up once and kept (a failure is not kept). */
  async function arnOf(job: string): Promise<string> {
    accountRef ??= resolveAccount(job).catch((err: unknown) => {
      accountRef = undefined;
      throw err;
    });
    return glueJobArn(await accountRef, await region(), job);
  }

  return {
    async get(job) {
      const arn = await arnOf(job);
      let raw;
      try {
        raw = await client.send(new GetTagsCommand({ ResourceArn: arn }));
      } catch (err) {
        throw mapAwsError(err, { service: 'Glue', action: 'glue:GetTags', subject: `Glue job ${job}` });
      }
      const parsed = TagsAnswer.safeParse(raw);
      if (!parsed.success) throw unreadable(`the tags of job ${job}`, parsed.error);
      return { ...(parsed.data.Tags ?? {}) };
    },

    async jobsWith(key, value) {
      const names: string[] = [];
      try {
        for await (const page of paginateListJobs({ client, pageSize: 1000 }, { Tags: { [key]: value } })) {
          for (const n of page.JobNames ?? []) if (typeof n === 'string') names.push(n);
          if (names.length >= MAX_TAGGED_JOBS) break;
        }
      } catch (err) {
        throw mapAwsError(err, {
          service: 'Glue',
          action: 'glue:ListJobs',
          subject: `Glue jobs tagged ${key}`,
        });
      }
      return [...new Set(names)].sort().slice(0, MAX_TAGGED_JOBS);
    },

    async tagCommand(job, missing) {
      const r = await region();
      return [
        'aws glue tag-resource',
        `--region ${shellWord(r)}`,
        `--resource-arn ${shellWord(await arnOf(job))}`,
        `--tags-to-add ${tagsToAdd(missing)}`,
      ].join(' ');
    },
  };
}
