// The one list of what the bot calls on AWS: every action, the resources it is allowed on and the
// feature that needs it. The ECS task role's policy (medic-stack.ts) and the README's "IAM
// policy" section (scripts/infra-docs.ts) are both generated from it, and a test compares the
// synthesized policy with the README, so there is no second copy to drift.
//
// Resources are CloudFormation `Fn::Sub` templates over the stack's parameters (SCOPES), so one
// template serves dev, staging and prod; `each` expands a list parameter (bucket ARNs) with a
// suffix. Read src/providers/aws/ for the calls: a new SDK command there needs a line here.

/** Stack parameters that say which of the account's resources the bot may touch. */
export interface Scope {
  type: 'String' | 'CommaDelimitedList';
  description: string;
  default?: string;
  /** What the README's policy shows in its place. */
  readme: string;
}

export const SCOPES = {
  GlueJobNamePattern: {
    type: 'String',
    description: 'Glue jobs the bot may read, run and change (IAM wildcard pattern of job names)',
    default: '*',
    readme: '*',
  },
  GlueDatabasePattern: {
    type: 'String',
    description: 'Glue databases whose tables the bot reads (schema history) and re-points (backfill)',
    default: '*',
    readme: '*',
  },
  GlueLogGroupPattern: {
    type: 'String',
    description: 'CloudWatch log groups of the Glue jobs (error signatures)',
    default: '/aws-glue/jobs/*',
    readme: '/aws-glue/jobs/*',
  },
  GlueJobRolePattern: {
    type: 'String',
    description: 'IAM roles of the Glue jobs, passed back on UpdateJob and to Data Quality runs',
    default: 'AWSGlueServiceRole*',
    readme: 'AWSGlueServiceRole*',
  },
  DataBucketArns: {
    type: 'CommaDelimitedList',
    description:
      'ARNs of every bucket the bot lists, reads or writes: job inputs and outputs (backfill ' +
      'snapshots and backups live beside them), the S3 Inventory destination, postmortem.s3Uri, ' +
      "the jobs' --spark-event-logs-path",
    readme: 'arn:aws:s3:::YOUR-LAKE-BUCKET',
  },
} as const satisfies Record<string, Scope>;
export type ScopeName = keyof typeof SCOPES;

export type Resource = string | { each: ScopeName; suffix: string };

export interface Permission {
  sid: string;
  /** Which features need it, in the README's words. */
  feature: string;
  actions: string[];
  resources: Resource[];
  conditions?: Record<string, Record<string, string>>;
  /** Why the resource has a wildcard (cdk-nag AwsSolutions-IAM5 is suppressed with this). */
  wildcard?: string;
}

const JOB = 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:job/${GlueJobNamePattern}';
const CATALOG = [
  'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog',
  'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/${GlueDatabasePattern}',
  'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/${GlueDatabasePattern}/*',
];

export const PERMISSIONS: Permission[] = [
  {
    sid: 'GlueJobsRead',
    feature: '/triage, the monitor, mitigations and /backfill: job definitions, runs and bookmarks',
    actions: ['glue:GetJob', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:GetJobBookmark'],
    resources: [JOB],
    wildcard: 'job names are a pattern parameter (default every job); narrow it with GlueJobNamePattern',
  },
  {
    sid: 'GlueJobsList',
    feature:
      '/triage and /cost of an unknown job: "did you mean" lists the job names; /cost and budgets of a tag list the jobs carrying it',
    actions: ['glue:GetJobs', 'glue:ListJobs'],
    resources: ['*'],
    wildcard: 'glue:GetJobs and glue:ListJobs take no resource ARN; they return names and definitions only',
  },
  {
    sid: 'GlueJobTags',
    feature: 'cost controls: the tags of a job (required tags, /cost), read on the job ARN',
    actions: ['glue:GetTags'],
    resources: [JOB],
    wildcard: 'job names are a pattern parameter (default every job); narrow it with GlueJobNamePattern',
  },
  {
    sid: 'GlueJobRuns',
    feature:
      'mitigations (compaction, rerun with more workers, shuffle tuning), /backfill staging runs, consumers and Abort',
    actions: ['glue:StartJobRun', 'glue:BatchStopJobRun'],
    resources: [JOB],
    wildcard: 'job names are a pattern parameter; every run needs a four-eyes approval in the bot',
  },
  {
    sid: 'GlueJobChanges',
    feature: 'mitigations: PERSISTENT CHANGE (UpdateJob) and bookmark reset',
    actions: ['glue:UpdateJob', 'glue:ResetJobBookmark'],
    resources: [JOB],
    wildcard: 'job names are a pattern parameter; every change needs a four-eyes approval in the bot',
  },
  {
    sid: 'PassGlueJobRole',
    feature: 'UpdateJob carries the job role over; Data Quality runs with the staging job role',
    actions: ['iam:PassRole'],
    resources: ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${GlueJobRolePattern}'],
    conditions: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
    wildcard: 'Glue job roles are a pattern parameter, and may only be passed to Glue',
  },
  {
    sid: 'GlueCatalogSchemaHistory',
    feature: '/schema, schema-plan gates and the schema-drift finding of /triage',
    actions: ['glue:GetTable', 'glue:GetTableVersions'],
    resources: CATALOG,
    wildcard: 'databases are a pattern parameter; tables are read per request',
  },
  {
    sid: 'GlueCatalogPartitions',
    feature: '/backfill promotion by catalog and Rollback',
    actions: ['glue:BatchGetPartition', 'glue:BatchUpdatePartition'],
    resources: CATALOG,
    wildcard: 'databases are a pattern parameter; promotion needs an approval in the bot',
  },
  {
    sid: 'GlueDataQuality',
    feature: '/backfill quality suite with Glue Data Quality ticked',
    actions: [
      'glue:CreateDataQualityRuleset',
      'glue:StartDataQualityRulesetEvaluationRun',
      'glue:GetDataQualityRulesetEvaluationRun',
      'glue:GetDataQualityResult',
    ],
    resources: ['arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:dataQualityRuleset/*'],
    wildcard: 'a ruleset is created per backfill, so its name is not known in advance',
  },
  {
    sid: 'GlueLogs',
    feature: '/triage error signatures and run log links',
    actions: ['logs:FilterLogEvents', 'logs:DescribeLogStreams'],
    resources: [
      'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${GlueLogGroupPattern}',
    ],
    wildcard: 'Glue writes one log group per stream kind under /aws-glue/jobs/',
  },
  {
    sid: 'GlueJobMetrics',
    feature:
      '/triage job metrics (duration, error rate, shuffle, heap, worker utilisation) of runs with --enable-metrics',
    actions: ['cloudwatch:GetMetricData'],
    resources: ['*'],
    wildcard: 'GetMetricData supports no resource-level permissions',
  },
  {
    sid: 'DataListing',
    feature:
      '/triage input volume and Spark event logs, /smallfiles, /backfill partitions and snapshot verification',
    actions: ['s3:ListBucket'],
    resources: [{ each: 'DataBucketArns', suffix: '' }],
  },
  {
    sid: 'DataRead',
    feature:
      'S3 Inventory reports, Spark event logs (ranged reads), Parquet footers (backfill checks), snapshot and promotion copies, Glue scripts (staging parity checksums)',

    actions: ['s3:GetObject'],
    resources: [{ each: 'DataBucketArns', suffix: '/*' }],
    wildcard: 'objects of the named buckets: keys are the lake partitions',
  },
  {
    sid: 'DataWrite',
    feature: '/backfill snapshots, manifests, backups, promotion by copy and Rollback; the post-mortem copy',
    actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    resources: [{ each: 'DataBucketArns', suffix: '/*' }],
    wildcard: 'objects of the named buckets: the bot writes under _backfill/ and the promoted partitions',
  },
];

export interface PolicyStatementJson {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

/** Substitute `${Name}` in a template: pseudo parameters and scopes, as CloudFormation would. */
export function substitute(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Za-z:]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for \${${name}} in ${template}`);
    return v;
  });
}

/** Values the README's policy is shown with. */
export const README_VALUES: Record<string, string | string[]> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'REGION',
  'AWS::AccountId': 'ACCOUNT',
  ...Object.fromEntries(
    Object.entries(SCOPES).map(([k, s]) => [k, s.type === 'CommaDelimitedList' ? [s.readme] : s.readme]),
  ),
};

/** The policy document as IAM would see it with the given parameter values. */
export function policyDocument(values: Record<string, string | string[]> = README_VALUES): {
  Version: '2012-10-17';
  Statement: PolicyStatementJson[];
} {
  const strings = Object.fromEntries(
    Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return {
    Version: '2012-10-17',
    Statement: PERMISSIONS.map((p) => {
      const resources = p.resources.flatMap((r) => {
        if (typeof r === 'string') return [substitute(r, strings)];
        const list = values[r.each];
        if (!Array.isArray(list)) throw new Error(`${r.each} must be a list`);
        return list.map((arn) => arn + r.suffix);
      });
      return {
        Sid: p.sid,
        Effect: 'Allow' as const,
        Action: p.actions.length === 1 ? p.actions[0]! : p.actions,
        Resource: resources.length === 1 ? resources[0]! : resources,
        ...(p.conditions ? { Condition: p.conditions } : {}),
      };
    }),
  };
}
