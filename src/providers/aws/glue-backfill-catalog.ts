// BackfillCatalog over AWS Glue: BatchGetPartition / BatchUpdatePartition for promotion by
// partition location, and the Data Quality API. Thin functions over SDK v3 commands.
import {
  BatchGetPartitionCommand,
  BatchUpdatePartitionCommand,
  CreateDataQualityRulesetCommand,
  GetDataQualityResultCommand,
  GetDataQualityRulesetEvaluationRunCommand,
  GetJobCommand,
  StartDataQualityRulesetEvaluationRunCommand,
  type GlueClient,
  type Partition,
} from '@aws-sdk/client-glue';
import { mapAwsError } from './errors.js';
import type { BackfillCatalog, DataQualityRun } from '../backfill-ports.js';

export function createGlueBackfillCatalog(client: GlueClient): BackfillCatalog {
  const fail = (err: unknown, action: string, subject: string) =>
    mapAwsError(err, { service: 'Glue', action, subject });
  const existing = async (database: string, table: string, values: string[][]): Promise<Partition[]> => {
    const out: Partition[] = [];
    for (let i = 0; i < values.length; i += 1000) {
      try {
        const res = await client.send(
          new BatchGetPartitionCommand({
            DatabaseName: database,
            TableName: table,
            PartitionsToGet: values.slice(i, i + 1000).map((Values) => ({ Values })),
          }),
        );
        out.push(...(res.Partitions ?? []));
      } catch (err) {
        throw fail(err, 'glue:BatchGetPartition', `Glue table ${database}.${table}`);
      }
    }
    return out;
  };
  return {
    async getPartitions(database, table, values) {
      return (await existing(database, table, values)).map((p) => ({
        values: p.Values ?? [],
        location: p.StorageDescriptor?.Location ?? '',
      }));
    },
    async setPartitionLocations(database, table, entries) {
      const current = new Map(
        (
          await existing(
            database,
            table,
            entries.map((e) => e.values),
          )
        ).map((p) => [(p.Values ?? []).join('/'), p]),
      );
      const failed: { values: string[]; error: string }[] = [];
      for (let i = 0; i < entries.length; i += 100) {
        const batch = entries.slice(i, i + 100);
        try {
          const res = await client.send(
            new BatchUpdatePartitionCommand({
              DatabaseName: database,
              TableName: table,
              Entries: batch.map((e) => {
                const p = current.get(e.values.join('/'));
                return {
                  PartitionValueList: e.values,
                  PartitionInput: {
                    Values: e.values,
                    ...(p?.Parameters ? { Parameters: p.Parameters } : {}),
                    StorageDescriptor: { ...(p?.StorageDescriptor ?? {}), Location: e.location },
                  },
                };
              }),
            }),
          );
          for (const err of res.Errors ?? [])
            failed.push({
              values: err.PartitionValueList ?? [],
              error: `${err.ErrorDetail?.ErrorCode ?? 'Error'}: ${err.ErrorDetail?.ErrorMessage ?? ''}`,
            });
        } catch (err) {
          throw fail(err, 'glue:BatchUpdatePartition', `Glue table ${database}.${table}`);
        }
      }
      return failed;
    },
    async jobRole(job) {
      try {
        const res = await client.send(new GetJobCommand({ JobName: job }));
        return res.Job?.Role ?? '';
      } catch (err) {
        throw fail(err, 'glue:GetJob', `Glue job ${job}`);
      }
    },
    async createRuleset(name, dqdl, database, table) {
      try {
        await client.send(
          new CreateDataQualityRulesetCommand({
            Name: name,
            Ruleset: dqdl,
            TargetTable: { DatabaseName: database, TableName: table },
          }),
        );
      } catch (err) {
        if ((err as { name?: string }).name === 'AlreadyExistsException') return; // a retried step
        throw fail(err, 'glue:CreateDataQualityRuleset', `ruleset ${name}`);
      }
    },
    async startDataQuality(o) {
      try {
        const res = await client.send(
          new StartDataQualityRulesetEvaluationRunCommand({
            DataSource: {
              GlueTable: {
                DatabaseName: o.database,
                TableName: o.table,
                ...(o.location ? { AdditionalOptions: { location: o.location } } : {}),
              },
            },
            Role: o.role,
            RulesetNames: o.rulesets,
          }),
        );
        return res.RunId ?? '';
      } catch (err) {
        throw fail(err, 'glue:StartDataQualityRulesetEvaluationRun', `table ${o.database}.${o.table}`);
      }
    },
    async getDataQualityRun(runId) {
      try {
        const res = await client.send(new GetDataQualityRulesetEvaluationRunCommand({ RunId: runId }));
        return {
          state: (res.Status ?? 'RUNNING') as DataQualityRun['state'],
          resultIds: res.ResultIds ?? [],
          ...(res.ErrorString ? { error: res.ErrorString } : {}),
        };
      } catch (err) {
        throw fail(err, 'glue:GetDataQualityRulesetEvaluationRun', `Data Quality run ${runId}`);
      }
    },
    async getDataQualityResult(resultId) {
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
