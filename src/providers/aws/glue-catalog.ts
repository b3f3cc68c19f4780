// The Catalog capability over the Glue Data Catalog: table versions (schema history, for drift),
// BatchGetPartition / BatchUpdatePartition (backfill promotion by partition location). Thin
// functions over SDK v3 commands.
import {
  BatchGetPartitionCommand,
  BatchUpdatePartitionCommand,
  GetTableCommand,
  paginateGetTableVersions,
  type GlueClient,
  type Partition,
  type Table,
  type TableInput,
} from '@aws-sdk/client-glue';
import { z } from 'zod';
import { awsErrorInfo, mapAwsError, unreadable } from './errors.js';
import { ProviderError, type Catalog, type TableSchema, type TableVersion } from '../ports.js';

/** GetTableVersions' largest page. */
const TABLE_VERSIONS_PAGE_SIZE = 100;

const optionalDate = z.date().optional().nullable();
const optionalString = z.string().optional().nullable();
const CatalogColumn = z.object({ Name: z.string(), Type: z.string().optional().nullable() });
export const GlueTableVersion = z.object({
  VersionId: z.string().min(1),
  Table: z
    .object({
      UpdateTime: optionalDate,
      PartitionKeys: z.array(CatalogColumn).optional().nullable(),
      StorageDescriptor: z
        .object({
          Columns: z.array(CatalogColumn).optional().nullable(),
          Location: optionalString,
        })
        .optional()
        .nullable(),
    })
    .optional()
    .nullable(),
});
export type GlueTableVersion = z.infer<typeof GlueTableVersion>;

function toTableVersion(raw: unknown): TableVersion {
  const parsed = GlueTableVersion.safeParse(raw);
  if (!parsed.success) throw unreadable('a table version', parsed.error);
  const v = parsed.data;
  const cols = (list: z.infer<typeof CatalogColumn>[] | null | undefined) =>
    (list ?? []).map((c) => ({ name: c.Name, type: c.Type ?? '' }));
  const out: TableVersion = {
    versionId: v.VersionId,
    columns: cols(v.Table?.StorageDescriptor?.Columns),
    partitionKeys: cols(v.Table?.PartitionKeys),
  };
  if (v.Table?.UpdateTime) out.updateTime = v.Table.UpdateTime;
  if (v.Table?.StorageDescriptor?.Location) out.location = v.Table.StorageDescriptor.Location;
  return out;
}

/**
 * The TableInput that keeps a table as it is but for its schema: UpdateTable replaces the whole
 * table, so everything it has is carried over (location, format, SerDe, parameters).
 */
export function tableInputWith(table: Table, proposed: TableSchema): TableInput {
  const cols = (list: TableSchema['columns']) => list.map((c) => ({ Name: c.name, Type: c.type }));
  const input: TableInput = {
    Name: table.Name,
    Description: table.Description,
    Owner: table.Owner,
    Retention: table.Retention,
    StorageDescriptor: { ...(table.StorageDescriptor ?? {}), Columns: cols(proposed.columns) },
    PartitionKeys: cols(proposed.partitionKeys),
    TableType: table.TableType,
    Parameters: table.Parameters,
    ViewOriginalText: table.ViewOriginalText,
    ViewExpandedText: table.ViewExpandedText,
  };
  for (const k of Object.keys(input) as (keyof TableInput)[]) if (input[k] === undefined) delete input[k];
  return input;
}

function versionOrder(id: string): number {
  const n = Number(id);
  return Number.isFinite(n) ? n : -1;
}

export function glueCatalog(client: GlueClient): Catalog {
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
    async planSchemaUpdate(database, table, proposed) {
      let current: Table | undefined;
      try {
        current = (await client.send(new GetTableCommand({ DatabaseName: database, Name: table }))).Table;
      } catch (err) {
        throw fail(err, 'glue:GetTable', `Glue table ${database}.${table}`);
      }
      if (!current) throw new ProviderError('NOT_FOUND', `Glue table ${database}.${table} was not found`);
      const TableInput = tableInputWith(current, proposed);
      const request = { DatabaseName: database, TableInput };
      return {
        operation: 'glue:UpdateTable',
        jobName: `${database}.${table}`,
        description: `glue:UpdateTable DatabaseName=${database} TableInput=${JSON.stringify(TableInput)}`,
        effect: 'change',
        doneNote: `Catalog table ${database}.${table} updated to the new schema.`,
        request,
      };
    },
    async tableVersions(database, table, maxVersions = 100) {
      const versions: TableVersion[] = [];
      if (maxVersions <= 0) return versions;
      try {
        const pageSize = Math.min(TABLE_VERSIONS_PAGE_SIZE, maxVersions);
        pages: for await (const page of paginateGetTableVersions(
          { client, pageSize },
          { DatabaseName: database, TableName: table },
        )) {
          for (const raw of page.TableVersions ?? []) {
            versions.push(toTableVersion(raw));
            if (versions.length >= maxVersions) break pages;
          }
        }
      } catch (err) {
        const { message } = awsErrorInfo(err);
        throw mapAwsError(err, {
          service: 'Glue',
          action: 'glue:GetTableVersions',
          subject: /database/i.test(message)
            ? `Glue database ${database}`
            : `Glue table ${database}.${table}`,
        });
      }
      // Newest first whatever order the pages came in; version ids are numbers in Glue.
      return versions.sort((a, b) => versionOrder(b.versionId) - versionOrder(a.versionId));
    },
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
  };
}
