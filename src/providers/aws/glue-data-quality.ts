// The DataQuality capability over Glue Data Quality: a DQDL ruleset generated from the backfill's
// checks, an evaluation run with the staging job's role, its results. Thin functions over SDK v3.
import {
  CreateDataQualityRulesetCommand,
  GetDataQualityResultCommand,
  GetDataQualityRulesetEvaluationRunCommand,
  GetJobCommand,
  StartDataQualityRulesetEvaluationRunCommand,
  type GlueClient,
} from '@aws-sdk/client-glue';
import type { QualityChecks } from '../../domain/backfill-plan.js';
import type { DataQuality, RunState } from '../ports.js';
import { mapAwsError } from './errors.js';

/** The DQDL ruleset of a backfill's checks: row count floor, every column present, the primary key. */
export function dqdlRuleset(columns: string[], checks: QualityChecks, minRows: number): string {
  const rules = [
    `RowCount > ${Math.max(0, Math.floor(minRows))}`,
    ...columns.map((c) => `ColumnExists "${c}"`),
  ];
  if (checks.primaryKey)
    rules.push(`IsComplete "${checks.primaryKey}"`, `IsPrimaryKey "${checks.primaryKey}"`);
  return `Rules = [ ${rules.join(', ')} ]`;
}

/** Data Quality run statuses in the runbook's words. */
function dqState(status: string): RunState {
  switch (status) {
    case 'STARTING':
      return 'queued';
    case 'RUNNING':
    case 'STOPPING':
      return 'running';
    case 'SUCCEEDED':
      return 'succeeded';
    case 'TIMEOUT':
      return 'timed-out';
    case 'STOPPED':
      return 'cancelled';
    default:
      return 'failed';
  }
}

export function glueDataQuality(client: GlueClient): DataQuality {
  const fail = (err: unknown, action: string, subject: string) =>
    mapAwsError(err, { service: 'Glue', action, subject });

  async function jobRole(job: string): Promise<string> {
    try {
      const res = await client.send(new GetJobCommand({ JobName: job }));
      return res.Job?.Role ?? '';
    } catch (err) {
      throw fail(err, 'glue:GetJob', `Glue job ${job}`);
    }
  }

  return {
    name: 'Glue Data Quality',
    async start(req) {
      try {
        await client.send(
          new CreateDataQualityRulesetCommand({
            Name: req.name,
            Ruleset: dqdlRuleset(req.columns, req.checks, req.minRows),
            TargetTable: { DatabaseName: req.database, TableName: req.table },
          }),
        );
      } catch (err) {
        // A retried step finds its ruleset already there.
        if ((err as { name?: string }).name !== 'AlreadyExistsException')
          throw fail(err, 'glue:CreateDataQualityRuleset', `ruleset ${req.name}`);
      }
      const role = await jobRole(req.runAsJob);
      try {
        const res = await client.send(
          new StartDataQualityRulesetEvaluationRunCommand({
            DataSource: {
              GlueTable: {
                DatabaseName: req.database,
                TableName: req.table,
                ...(req.location ? { AdditionalOptions: { location: req.location } } : {}),
              },
            },
            Role: role,
            RulesetNames: [req.name],
          }),
        );
        return res.RunId ?? '';
      } catch (err) {
        throw fail(err, 'glue:StartDataQualityRulesetEvaluationRun', `table ${req.database}.${req.table}`);
      }
    },
    async getRun(runId) {
      try {
        const res = await client.send(new GetDataQualityRulesetEvaluationRunCommand({ RunId: runId }));
        const status = res.Status ?? 'RUNNING';
        return {
          state: dqState(status),
          platformState: status,
          resultIds: res.ResultIds ?? [],
          ...(res.ErrorString ? { error: res.ErrorString } : {}),
        };
      } catch (err) {
        throw fail(err, 'glue:GetDataQualityRulesetEvaluationRun', `Data Quality run ${runId}`);
      }
    },
    async getResult(resultId) {
      try {
        const res = await client.send(new GetDataQualityResultCommand({ ResultId: resultId }));
        return {
          score: res.Score ?? 0,
          rules: (res.RuleResults ?? []).map((r) => ({
            name: r.Name ?? '?',
            result: r.Result ?? '?',
            ...(r.EvaluationMessage ? { message: r.EvaluationMessage } : {}),
          })),
        };
      } catch (err) {
        throw fail(err, 'glue:GetDataQualityResult', `Data Quality result ${resultId}`);
      }
    },
  };
}
