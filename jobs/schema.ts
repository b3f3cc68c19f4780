// The /schema processor: the schema-drift runbook's report. Two sources of drift:
//   - the catalog's own history (the newest table version against the one before, or against
//     the version that was current on --since);
//   - the data the catalog has not seen yet: the Parquet footers of the newest input partitions
//     against the catalog's current schema, walking back day by day to find where it started.
// Then the migration plan for the change, and the backfill window it needs. Posted in the channel;
// in an incident channel it lands on the timeline.
import { attachRunbook } from '../src/slack/runbook-attach.js';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import { SchemaPayload } from '../src/queue/payloads.js';
import { jobProvider, schemaTableOf } from '../src/config/index.js';
import { ProviderError, type Catalog, type ObjectStore, type TableVersion } from '../src/providers/ports.js';
import { parseObjectUri } from '../src/providers/object-uri.js';
import { dataFiles, readFacts } from '../src/providers/backfill-footers.js';
import { diffSchemas, type Schema, type SchemaDiff } from '../src/domain/schema-diff.js';
import { fromParquetColumns } from '../src/domain/schema-formats.js';
import { planMigration, type MigrationPlan } from '../src/domain/schema-plan.js';
import { isoDay } from '../src/domain/format.js';
import { renderSchemaReport, type SchemaReportModel } from '../src/slack/blocks/schema-report.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';

/** Newest partitions whose footers are read, walking back to find where the drift started. */
const MAX_PARTITIONS = 8;
/** Footers read per partition (one file says the writer's schema; two guard against a stray file). */
const FILES_PER_PARTITION = 2;

const schemaOf = (v: TableVersion): Schema => ({ columns: v.columns, partitionKeys: v.partitionKeys });

/** Date partitions directly under the location (dt=YYYY-MM-DD/ or YYYY-MM-DD/), newest first. */
async function datePartitions(store: ObjectStore, container: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.listPage({ container, prefix, delimiter: '/', ...(token ? { token } : {}) });
    found.push(...page.prefixes.filter((p) => /(\d{4}-\d{2}-\d{2})\/$/.test(p)));
    token = page.nextToken;
  } while (token && found.length < 10_000);
  const day = (p: string) => /(\d{4}-\d{2}-\d{2})\/$/.exec(p)![1]!;
  return found.sort((a, b) => day(b).localeCompare(day(a)));
}

/** The schema the newest partitions' files were written with, and the first day it appeared. */
async function dataSchema(
  store: ObjectStore,
  container: string,
  prefix: string,
  catalog: Schema,
): Promise<{ schema: Schema; newest: string; driftSince?: string; files: number } | undefined> {
  const parts = (await datePartitions(store, container, prefix)).slice(0, MAX_PARTITIONS);
  let newest: Schema | undefined;
  let newestDay = '';
  let driftSince: string | undefined;
  let files = 0;
  for (const part of parts) {
    const listed = await store.listPage({ container, prefix: part, maxKeys: 50 });
    const data = dataFiles(listed.objects).slice(0, FILES_PER_PARTITION);
    const facts = (await readFacts(store, container, data)).filter((f) => f.footer);
    if (!facts.length) continue;
    files += facts.length;
    const schema = fromParquetColumns(facts[0]!.footer!.columns);
    const day = /(\d{4}-\d{2}-\d{2})\/$/.exec(part)![1]!;
    if (!newest) {
      newest = { ...schema, partitionKeys: catalog.partitionKeys };
      newestDay = day;
      if (diffSchemas(catalog, newest).changes.length === 0) break; // the data matches the catalog
      driftSince = day;
      continue;
    }
    // Walking back: still the new schema → the drift started earlier.
    if (diffSchemas({ ...schema, partitionKeys: catalog.partitionKeys }, newest).changes.length === 0)
      driftSince = day;
    else break;
  }
  return newest
    ? { schema: newest, newest: newestDay, ...(driftSince ? { driftSince } : {}), files }
    : undefined;
}

export function schemaProcessor(deps: Deps) {
  return async (job: Job, log: Logger) => {
    const p = SchemaPayload.parse(job.data);
    const cfg = deps.config.medic;
    const channel = p.requester.channelId;
    const post = async (m: SchemaReportModel) => {
      const msg = renderSchemaReport(m);
      await deps.slack.chat.postMessage({
        channel,
        text: msg.text,
        blocks: slackBlocks(msg.blocks),
        unfurl_links: false,
      });
    };
    const jobCfg = cfg.jobs[p.target];
    const table = schemaTableOf(jobCfg)
      ? schemaTableOf(jobCfg)!
      : /^[^.\s]+\.[^.\s]+$/.test(p.target)
        ? { database: p.target.split('.')[0]!, name: p.target.split('.')[1]! }
        : undefined;
    if (!table) {
      await post({
        target: p.target,
        failure: `${p.target} has no table: set jobs.${p.target}.schemaTable (or table) in medic.yml, or give database.table`,
      });
      return { state: 'no-table' };
    }
    const tableName = `${table.database}.${table.name}`;
    const platform = deps.providers.jobPlatform(jobProvider(cfg, jobCfg ? p.target : ''));
    const catalog: Catalog | undefined = platform.catalog;
    if (!catalog) {
      await post({
        target: p.target,
        table: tableName,
        failure: `${platform.terms.platform} has no table catalog to read`,
      });
      return { state: 'no-catalog' };
    }
    let versions: TableVersion[];
    try {
      versions = await catalog.tableVersions(table.database, table.name, 100);
    } catch (err) {
      if (err instanceof ProviderError && !err.retryable) {
        await post({
          target: p.target,
          table: tableName,
          failure: err.code === 'ACCESS_DENIED' ? `access denied (${err.action ?? 'catalog'})` : err.message,
        });
        return { state: err.code };
      }
      throw err;
    }
    const current = versions[0];
    if (!current) throw new UnrecoverableError(`${tableName} has no versions`);
    const sinceMs = p.since ? Date.parse(`${p.since}T00:00:00Z`) : undefined;
    const before =
      sinceMs !== undefined
        ? versions.find((v) => v.updateTime !== undefined && v.updateTime.getTime() < sinceMs)
        : versions[1];
    const catalogDiff: SchemaDiff | undefined = before
      ? diffSchemas(schemaOf(before), schemaOf(current))
      : undefined;

    // The data the catalog has not seen: footers of the newest partitions of the job's input.
    const input = jobCfg?.input ?? current.location;
    let data: Awaited<ReturnType<typeof dataSchema>>;
    const missing: string[] = [];
    if (input) {
      try {
        const loc = parseObjectUri(input);
        data = await dataSchema(
          deps.providers.objectStore(loc.scheme),
          loc.container,
          loc.prefix,
          schemaOf(current),
        );
        if (!data) missing.push(`no Parquet footer read under ${input}`);
      } catch (err) {
        if (!(err instanceof ProviderError) && !(err instanceof Error && err.name === 'ObjectUriError'))
          throw err;
        missing.push(`input ${input}: ${err.message}`);
      }
    } else missing.push('no input location to read footers from (jobs.<job>.input)');
    const dataDiff = data ? diffSchemas(schemaOf(current), data.schema) : undefined;

    // The plan for the change that is live in the data (else the catalog's own last change).
    const today = isoDay(deps.now());
    const consumers = jobCfg?.consumers ?? [];
    let plan: MigrationPlan | undefined;
    if (data && dataDiff?.changes.length)
      plan = planMigration(schemaOf(current), data.schema, {
        consumers,
        today,
        ...(data.driftSince ? { driftSince: data.driftSince } : {}),
      });
    else if (before && catalogDiff?.changes.length)
      plan = planMigration(schemaOf(before), schemaOf(current), {
        consumers,
        today,
        ...(current.updateTime ? { driftSince: isoDay(current.updateTime.getTime()) } : {}),
      });
    const model: SchemaReportModel = {
      target: p.target,
      table: tableName,
      ...(jobCfg ? { job: p.target } : {}),
      ...(jobCfg?.input && jobCfg.output && jobCfg.stagingJob ? { backfillable: true } : {}),
      current: {
        versionId: current.versionId,
        ...(current.updateTime ? { updateTime: current.updateTime } : {}),
      },
      ...(before
        ? {
            compared: {
              versionId: before.versionId,
              ...(before.updateTime ? { updateTime: before.updateTime } : {}),
            },
          }
        : {}),
      ...(catalogDiff ? { catalogDiff } : {}),
      ...(data && dataDiff
        ? {
            dataDiff,
            data: {
              newest: data.newest,
              files: data.files,
              ...(data.driftSince ? { driftSince: data.driftSince } : {}),
            },
          }
        : {}),
      ...(plan ? { plan } : {}),
      missing,
    };
    await post(model);
    const incident =
      (await deps.incidents.forChannel(channel, p.target)) ??
      (await deps.incidents.soleOpenInChannel(channel));
    if (incident) {
      const worst = plan?.classification ?? 'compatible';
      await deps.timeline.append(incident.id, {
        at: deps.now(),
        kind: 'finding',
        actor: 'medic',
        text: `/schema ${p.target}: ${tableName} ${plan ? `${worst} drift, ${plan.steps.length} change(s)` : 'no drift'}${plan?.backfillWindow ? `; backfill ${plan.backfillWindow.from} → ${plan.backfillWindow.to}` : ''}`,
      });
      // A breaking change is the schema-drift runbook's case: it joins the incident's checklist.
      if (plan?.classification === 'breaking')
        await attachRunbook(deps, incident.id, 'schema-drift', {
          reason: `/schema ${p.target} found a breaking change in ${tableName}`,
          tick: [{ item: 'versions-compared', note: `${plan.steps.length} change(s), breaking` }],
        });
    }
    log.info(
      { target: p.target, table: tableName, drift: plan?.classification ?? 'none' },
      'schema report posted',
    );
    return { state: plan ? plan.classification : 'no-drift' };
  };
}
