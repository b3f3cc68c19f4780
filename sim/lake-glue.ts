// Glue operations of the backfill flow: Data Catalog partitions (GetPartitions, BatchGetPartition,
// BatchUpdatePartition) and Data Quality (CreateDataQualityRuleset, StartDataQualityRuleset-
// EvaluationRun, GetDataQualityRulesetEvaluationRun, GetDataQualityResult). Wired into glue.ts'
// dispatch; state in `state.lake`.
import { SimError } from './sim-error.js';
import { newDqId, type CatalogPartition, type DqRuleResult } from './lake-store.js';
import type { SimState } from './state.js';

type Params = Record<string, unknown>;
type Handler = (state: SimState, p: Params) => unknown;

function str(p: Params, name: string): string {
  const v = p[name];
  if (typeof v !== 'string' || !v) throw new SimError('InvalidInputException', `${name} is required`);
  return v;
}

function requireTable(state: SimState, p: Params): { db: string; table: string } {
  const db = str(p, 'DatabaseName');
  const table = str(p, 'TableName');
  if (!state.glue.table(db, table))
    throw new SimError('EntityNotFoundException', `Table ${table} not found in database ${db}.`);
  return { db, table };
}

const secs = (ms: number) => ms / 1000;

function render(db: string, table: string, p: CatalogPartition): Params {
  return {
    DatabaseName: db,
    TableName: table,
    Values: p.Values,
    CreationTime: secs(p.CreationTime),
    ...(p.LastAccessTime !== undefined ? { LastAccessTime: secs(p.LastAccessTime) } : {}),
    StorageDescriptor: {
      Location: p.Location,
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
    Parameters: p.Parameters,
  };
}

function valuesOf(v: unknown): string[] {
  if (!Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'string'))
    throw new SimError('InvalidInputException', 'Values must be a non-empty list of strings');
  return v as string[];
}

/** Rules the simulator evaluates: RowCount > N, IsComplete "c", IsUnique/IsPrimaryKey "c", ColumnExists "c". */
function evaluateRule(
  rule: string,
  facts: { rows: number; columns: Set<string>; nulls: Record<string, number> },
): DqRuleResult {
  const r = rule.trim();
  let m: RegExpExecArray | null;
  const res = (ok: boolean, msg?: string): DqRuleResult => ({
    Name: r,
    Description: r,
    Result: ok ? 'PASS' : 'FAIL',
    ...(msg ? { EvaluationMessage: msg } : {}),
  });
  if ((m = /^RowCount\s*>\s*(\d+)$/.exec(r)))
    return res(facts.rows > Number(m[1]), `RowCount = ${facts.rows}`);
  if ((m = /^ColumnExists\s+"([^"]+)"$/.exec(r))) return res(facts.columns.has(m[1]!));
  if ((m = /^IsComplete\s+"([^"]+)"$/.exec(r)))
    return res(
      facts.columns.has(m[1]!) && (facts.nulls[m[1]!] ?? 0) === 0,
      `${facts.nulls[m[1]!] ?? 0} nulls`,
    );
  if ((m = /^(IsUnique|IsPrimaryKey)\s+"([^"]+)"$/.exec(r)))
    return res(facts.columns.has(m[2]!) && (facts.nulls[m[2]!] ?? 0) === 0);
  return {
    Name: r,
    Description: r,
    Result: 'ERROR',
    EvaluationMessage: 'rule not supported by the simulator',
  };
}

export const lakeGlueHandlers: Record<string, Handler> = {
  GetPartitions(state, p) {
    const { db, table } = requireTable(state, p);
    const all = [...state.lake.tablePartitions(db, table).values()].sort((a, b) =>
      a.Values.join('/') < b.Values.join('/') ? -1 : 1,
    );
    return { Partitions: all.map((x) => render(db, table, x)) };
  },

  BatchGetPartition(state, p) {
    const { db, table } = requireTable(state, p);
    const want = Array.isArray(p.PartitionsToGet) ? (p.PartitionsToGet as Params[]) : [];
    if (want.length > 1000) throw new SimError('InvalidInputException', 'At most 1000 partitions a call');
    const parts = state.lake.tablePartitions(db, table);
    const found: Params[] = [];
    const missing: Params[] = [];
    for (const w of want) {
      const values = valuesOf(w.Values);
      const hit = parts.get(values.join('/'));
      if (hit) found.push(render(db, table, hit));
      else missing.push({ Values: values });
    }
    return { Partitions: found, UnprocessedKeys: missing };
  },

  BatchUpdatePartition(state, p) {
    const { db, table } = requireTable(state, p);
    const entries = Array.isArray(p.Entries) ? (p.Entries as Params[]) : [];
    if (!entries.length || entries.length > 100)
      throw new SimError('InvalidInputException', 'Entries must hold 1 to 100 partitions');
    const parts = state.lake.tablePartitions(db, table);
    const errors: Params[] = [];
    for (const e of entries) {
      const values = valuesOf(e.PartitionValueList);
      const existing = parts.get(values.join('/'));
      const input = (e.PartitionInput ?? {}) as Params;
      const location = ((input.StorageDescriptor ?? {}) as Params).Location;
      if (!existing) {
        errors.push({
          PartitionValueList: values,
          ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'Partition not found.' },
        });
        continue;
      }
      if (typeof location !== 'string' || !location) {
        errors.push({
          PartitionValueList: values,
          ErrorDetail: {
            ErrorCode: 'InvalidInputException',
            ErrorMessage: 'StorageDescriptor.Location is required',
          },
        });
        continue;
      }
      // Atomic per partition: the entry is replaced whole.
      parts.set(values.join('/'), {
        ...existing,
        Values: input.Values ? valuesOf(input.Values) : values,
        Location: location,
        LastAccessTime: state.now(),
        Parameters: (input.Parameters as Record<string, string> | undefined) ?? existing.Parameters,
      });
    }
    return { Errors: errors };
  },

  CreateDataQualityRuleset(state, p) {
    const name = str(p, 'Name');
    if (state.lake.rulesets.has(name))
      throw new SimError('AlreadyExistsException', `Ruleset ${name} already exists`);
    const target = p.TargetTable as { DatabaseName: string; TableName: string } | undefined;
    state.lake.rulesets.set(name, {
      Name: name,
      Ruleset: str(p, 'Ruleset'),
      ...(target ? { TargetTable: target } : {}),
      CreatedOn: state.now(),
    });
    return { Name: name };
  },

  StartDataQualityRulesetEvaluationRun(state, p) {
    const source = ((p.DataSource ?? {}) as Params).GlueTable as
      { DatabaseName: string; TableName: string; AdditionalOptions?: Record<string, string> } | undefined;
    if (!source?.DatabaseName || !source.TableName)
      throw new SimError('InvalidInputException', 'DataSource.GlueTable is required');
    str(p, 'Role');
    const names = Array.isArray(p.RulesetNames) ? (p.RulesetNames as string[]) : [];
    if (!names.length) throw new SimError('InvalidInputException', 'RulesetNames is required');
    for (const n of names)
      if (!state.lake.rulesets.has(n))
        throw new SimError('EntityNotFoundException', `Ruleset ${n} not found`);
    const id = newDqId('dqrun');
    state.lake.dqRuns.set(id, {
      RunId: id,
      Status: 'RUNNING',
      StartedOn: state.now(),
      DataSource: { GlueTable: source },
      RulesetNames: names,
      ResultIds: [],
    });
    return { RunId: id };
  },

  GetDataQualityRulesetEvaluationRun(state, p) {
    const id = str(p, 'RunId');
    const run = state.lake.dqRuns.get(id);
    if (!run) throw new SimError('EntityNotFoundException', `Run ${id} not found`);
    const now = state.now();
    if (run.Status === 'RUNNING' && now >= run.StartedOn + state.lake.dqDurationSec * 1000) {
      const facts = dqFacts(state, run.DataSource.GlueTable);
      run.Status = 'SUCCEEDED';
      run.CompletedOn = run.StartedOn + state.lake.dqDurationSec * 1000;
      for (const name of run.RulesetNames) {
        const rs = state.lake.rulesets.get(name)!;
        const body = /Rules\s*=\s*\[([\s\S]*)\]/.exec(rs.Ruleset)?.[1] ?? '';
        const rules = body
          .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
          .map((r) => r.trim())
          .filter(Boolean);
        const results = rules.map((r) => evaluateRule(r, facts));
        const rid = newDqId('dqresult');
        state.lake.dqResults.set(rid, {
          ResultId: rid,
          RulesetName: name,
          Score: results.length ? results.filter((r) => r.Result === 'PASS').length / results.length : 1,
          RuleResults: results,
          StartedOn: run.StartedOn,
          CompletedOn: run.CompletedOn,
        });
        run.ResultIds.push(rid);
      }
    }
    return {
      RunId: run.RunId,
      Status: run.Status,
      StartedOn: secs(run.StartedOn),
      ...(run.CompletedOn ? { CompletedOn: secs(run.CompletedOn) } : {}),
      DataSource: run.DataSource,
      RulesetNames: run.RulesetNames,
      ResultIds: run.ResultIds,
    };
  },

  GetDataQualityResult(state, p) {
    const id = str(p, 'ResultId');
    const r = state.lake.dqResults.get(id);
    if (!r) throw new SimError('EntityNotFoundException', `Result ${id} not found`);
    return { ...r, StartedOn: secs(r.StartedOn), CompletedOn: secs(r.CompletedOn) };
  },
};

/**
 * What a DQ run sees: the objects at AdditionalOptions["location"] when given (a staging output
 * evaluated before it is catalogued), else at the table's partitions. Parquet footers are read
 * the simulator's own record of what it wrote (by ETag, which copies keep).
 */
function dqFacts(
  state: SimState,
  source: { DatabaseName: string; TableName: string; AdditionalOptions?: Record<string, string> },
): { rows: number; columns: Set<string>; nulls: Record<string, number> } {
  const locations = source.AdditionalOptions?.location
    ? [source.AdditionalOptions.location]
    : [...state.lake.tablePartitions(source.DatabaseName, source.TableName).values()].map((p) => p.Location);
  const facts = { rows: 0, columns: new Set<string>(), nulls: {} as Record<string, number> };
  for (const loc of locations) {
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(loc);
    const bucket = m && state.s3.bucket(m[1]!);
    if (!bucket) continue;
    for (const o of bucket.storedObjects()) {
      if (!o.key.startsWith(m[2]!) || !o.key.endsWith('.parquet')) continue;
      const info = parquetFacts(state, o.etag);
      if (!info) continue;
      facts.rows += info.rows;
      for (const [c, n] of Object.entries(info.nulls)) {
        facts.columns.add(c);
        facts.nulls[c] = (facts.nulls[c] ?? 0) + n;
      }
    }
  }
  return facts;
}

function parquetFacts(
  state: SimState,
  etag: string,
): { rows: number; nulls: Record<string, number> } | undefined {
  return state.lake.facts.get(etag);
}
