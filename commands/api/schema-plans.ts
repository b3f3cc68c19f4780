// POST /api/v1/schema-plans and GET /api/v1/schema-plans/<id>: a deploy pipeline asks whether a
// schema change may ship. The plan is computed at once against the catalog's current table; a
// compatible plan is approved on the spot, anything else is posted where the job's alerts go with
// Approve / Reject under the four-eyes policy, and the pipeline polls for the decision.
import { z } from 'zod';
import type { Deps } from '../../src/deps.js';
import { jobProvider } from '../../src/config/index.js';
import { ApiError, type ApiEndpoint, type ApiResponse } from '../../src/http/api.js';
import { ProviderError, type TableSchema } from '../../src/providers/ports.js';
import { readProposedSchema, SchemaFormatError } from '../../src/domain/schema-formats.js';
import { planMigration, type MigrationPlan } from '../../src/domain/schema-plan.js';
import type { Schema } from '../../src/domain/schema-diff.js';
import {
  approverPrincipals,
  expiryFrom,
  whoMayApprove,
  type MitigationParams,
} from '../../src/domain/approval-policy.js';
import { ApprovalStore, type Approval } from '../../src/store/approvals.js';
import { SchemaPlanStore, schemaFingerprint, type SchemaPlanRecord } from '../../src/store/schema-plans.js';
import { renderSchemaPlan, schemaPlanView as view } from '../../src/slack/blocks/schema-plan.js';
import { slackBlocks } from '../../src/slack/blocks/kit.js';
import { monitorChannelFor } from '../../src/config/file.js';
import { isoDay } from '../../src/domain/format.js';

const Body = z.object({
  job: z.string().min(1).max(255).optional(),
  table: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,255}\.[A-Za-z0-9_-]{1,255}$/, { message: 'must be database.table' })
    .optional(),
  proposed: z.unknown(),
  requestedBy: z.string().min(1).max(255),
  commit: z.string().min(1).max(100).optional(),
});

/** The approval record of a plan carries this as its params (one id space for every approval kind). */
export function schemaPlanParams(planId: string): MitigationParams {
  return { kind: 'schema-plan', planId } as unknown as MitigationParams;
}

function approvals(deps: Deps): ApprovalStore {
  return new ApprovalStore(deps.state, deps.config.env.MEDIC_PREFIX);
}

function plans(deps: Deps): SchemaPlanStore {
  return new SchemaPlanStore(deps.state, deps.config.env.MEDIC_PREFIX);
}

/** A plan as the API answers it. */
function answer(r: SchemaPlanRecord, a: Approval | undefined): ApiResponse['body'] {
  const plan = r.plan as unknown as MigrationPlan;
  return {
    id: r.id,
    state: r.classification === 'compatible' ? 'approved' : (a?.state ?? 'pending'),
    classification: r.classification,
    table: `${r.table.database}.${r.table.name}`,
    ...(r.job ? { job: r.job } : {}),
    fingerprint: r.fingerprint,
    changes: plan.steps.map((s) => ({ ...s.change, action: s.action, risk: s.risk })),
    consumersAffected: plan.consumersAffected,
    ...(plan.backfillWindow ? { backfillWindow: plan.backfillWindow } : {}),
    ...(r.catalogUpdate ? { catalogUpdate: r.catalogUpdate } : {}),
    ...(a?.decidedBy ? { decidedBy: a.decidedBy } : {}),
    ...(a?.expiresAt ? { expiresAt: new Date(a.expiresAt).toISOString() } : {}),
  };
}

function toSchema(t: TableSchema): Schema {
  return { columns: t.columns, partitionKeys: t.partitionKeys };
}

export function schemaPlanEndpoints(deps: Deps): ApiEndpoint[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/schema-plans',
      async handle({ caller, body }) {
        const parsed = Body.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new ApiError(400, issue.message, issue.path.join('.') || '(body)');
        }
        const b = parsed.data;
        const cfg = deps.config.medic;
        const jobCfg = b.job ? cfg.jobs[b.job] : undefined;
        if (b.job && !jobCfg) throw new ApiError(404, `no job ${b.job} in medic.yml`, 'job');
        const table = b.table
          ? { database: b.table.split('.')[0]!, name: b.table.split('.')[1]! }
          : jobCfg?.table
            ? { database: jobCfg.table.database, name: jobCfg.table.name }
            : undefined;
        if (!table)
          throw new ApiError(
            400,
            b.job ? `job ${b.job} has no table in medic.yml (jobs.<job>.table)` : 'give job or table',
            'table',
          );
        let proposed: Schema;
        try {
          proposed = readProposedSchema(b.proposed);
        } catch (err) {
          if (err instanceof SchemaFormatError) throw new ApiError(400, err.message, err.path);
          throw err;
        }
        const fingerprint = schemaFingerprint(table, proposed);
        const existing = await plans(deps).byFingerprint(fingerprint);
        if (existing) {
          const a = await approvals(deps).get(existing.id);
          // The same proposal again: the same plan, unless its request ended without an approval.
          if (
            !a ||
            a.state === 'pending' ||
            a.state === 'approved' ||
            existing.classification === 'compatible'
          )
            return { status: 200, body: answer(existing, await settle(deps, existing, a)) };
        }
        const platform = deps.providers.jobPlatform(jobProvider(cfg, b.job ?? ''));
        const catalog = platform.catalog;
        if (!catalog)
          throw new ApiError(400, `${platform.terms.platform} has no catalog to compare with`, 'table');
        let current: Schema;
        let catalogUpdate: string | undefined;
        try {
          const [newest] = await catalog.tableVersions(table.database, table.name, 1);
          if (!newest)
            throw new ApiError(404, `table ${table.database}.${table.name} has no versions`, 'table');
          current = toSchema(newest);
          catalogUpdate = (await catalog.planSchemaUpdate(table.database, table.name, proposed)).description;
        } catch (err) {
          if (err instanceof ProviderError && err.code === 'NOT_FOUND')
            throw new ApiError(404, err.message, b.table ? 'table' : 'job');
          throw err;
        }
        const now = deps.now();
        const plan = planMigration(current, proposed, {
          consumers: jobCfg?.consumers ?? [],
          today: isoDay(now),
        });
        const id = await approvals(deps).newId(now);
        const channel = b.job ? monitorChannelFor(cfg, b.job) : cfg.monitor?.channel;
        if (plan.needsApproval && !channel)
          throw new ApiError(
            409,
            'this change needs an approval but no channel is configured for it (jobs.<job>.monitorChannel or monitor.channel)',
            'job',
          );
        const record: SchemaPlanRecord = {
          id,
          ...(b.job ? { job: b.job } : {}),
          table,
          fingerprint,
          classification: plan.classification,
          plan: plan as unknown as Record<string, unknown>,
          ...(catalogUpdate ? { catalogUpdate } : {}),
          requestedBy: b.requestedBy,
          ...(b.commit ? { commit: b.commit } : {}),
          caller,
          createdAt: now,
          ...(plan.needsApproval && channel ? { channel } : {}),
        };
        await plans(deps).create(record);
        deps.logger.info(
          {
            planId: id,
            caller,
            table: `${table.database}.${table.name}`,
            classification: plan.classification,
          },
          'schema plan requested',
        );
        if (!plan.needsApproval) return { status: 201, body: answer(record, undefined) };
        const principals = approverPrincipals(
          cfg.slack.approvers,
          b.job ? cfg.jobs[b.job]?.approvers : undefined,
        );
        const a = await approvals(deps).create({
          id,
          channel: channel!,
          job: b.job ?? `${table.database}.${table.name}`,
          env: deps.config.env.MEDIC_ENV,
          params: schemaPlanParams(id),
          calls: [],
          // A Slack user named as the commit author may not approve; else the CI identity asked.
          requester: /^[UW][A-Z0-9]{2,}$/.test(b.requestedBy) ? b.requestedBy : `ci:${caller}`,
          reason: `schema change of ${table.database}.${table.name}${b.commit ? ` (commit ${b.commit})` : ''}`,
          approvers: principals,
          createdAt: now,
          expiresAt: expiryFrom(now, cfg.defaults.approvalExpiryMinutes),
        });
        const msg = renderSchemaPlan({
          ...view(record),
          state: 'pending',
          expiresAt: a.expiresAt,
          whoMayApprove: whoMayApprove(principals, {}, a.requester),
        });
        const posted = await deps.slack.chat.postMessage({
          channel: channel!,
          text: msg.text,
          blocks: slackBlocks(msg.blocks),
          unfurl_links: false,
        });
        if (posted.ts) await approvals(deps).setMessageTs(id, posted.ts);
        return { status: 201, body: answer(record, a) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/schema-plans/:id',
      async handle({ params }) {
        const id = params.id ?? '';
        const r = /^apr-\d{8}-\d{1,9}$/.test(id) ? await plans(deps).get(id) : undefined;
        if (!r) throw new ApiError(404, `no schema plan ${id}`, 'id');
        return { status: 200, body: answer(r, await settle(deps, r, await approvals(deps).get(id))) };
      },
    },
  ];
}

/** A pending request past its expiry becomes expired when it is read (no timer needed for it). */
async function settle(
  deps: Deps,
  r: SchemaPlanRecord,
  a: Approval | undefined,
): Promise<Approval | undefined> {
  if (!a || a.state !== 'pending' || deps.now() < a.expiresAt) return a;
  const res = await approvals(deps).transition(a.id, 'expired', 'medic', deps.now());
  const next = res.ok ? res.approval : (res.approval ?? a);
  if (res.ok && a.messageTs && r.channel) {
    const msg = renderSchemaPlan({ ...view(r), state: 'expired' });
    await deps.slack.chat
      .update({ channel: r.channel, ts: a.messageTs, text: msg.text, blocks: slackBlocks(msg.blocks) })
      .catch((err: unknown) => deps.logger.warn({ err }, 'could not mark the schema plan expired'));
  }
  return next;
}
