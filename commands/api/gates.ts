// GET /api/v1/gates/<job>: may a deploy of this job go on? The runbook's schema-drift step is
// "bloquear despliegues hasta validar cambios": while an open incident of the job has schema drift
// among its findings, the gate is blocked — until the incident is resolved or a schema plan for
// the job is approved after the incident opened.
import type { Deps } from '../../src/deps.js';
import { ApiError, type ApiEndpoint } from '../../src/http/api.js';
import { ApprovalStore } from '../../src/store/approvals.js';
import { SchemaPlanStore } from '../../src/store/schema-plans.js';

const JOB_NAME = /^[A-Za-z0-9_.:-]{1,255}$/;

export function gateEndpoints(deps: Deps): ApiEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/gates/:job',
      async handle({ params }) {
        const job = params.job ?? '';
        if (!JOB_NAME.test(job)) throw new ApiError(400, 'a job name of letters, digits and . _ - :', 'job');
        const open = await deps.incidents.openForJob(job);
        const drift = open.find((i) => i.latest?.findings.some((f) => f.id === 'schema-drift'));
        if (!drift) return { status: 200, body: { state: 'open' } };
        const approvedAfter = await approvedPlanSince(deps, job, drift.openedAt);
        if (approvedAfter)
          return {
            status: 200,
            body: { state: 'open', reason: `schema plan ${approvedAfter} approved`, incident: drift.id },
          };
        const link = await deps.slack.chat
          .getPermalink({ channel: drift.channel, message_ts: drift.reportTs ?? '' })
          .then((r) => r.permalink)
          .catch(() => undefined);
        return {
          status: 200,
          body: {
            state: 'blocked',
            reason: `incident ${drift.id} (${drift.title}) has schema drift; resolve it or get a schema plan approved`,
            incident: drift.id,
            ...(link ? { incidentUrl: link } : {}),
          },
        };
      },
    },
  ];
}

/** The id of a plan of the job approved after `since`, if any (scans the job's recent plans). */
async function approvedPlanSince(deps: Deps, job: string, since: number): Promise<string | undefined> {
  const prefix = deps.config.env.MEDIC_PREFIX;
  const ids = await deps.state.zrangebyscore(`${prefix}:schema-plan-job:${job}`, since, '+inf');
  const approvals = new ApprovalStore(deps.state, prefix);
  const plans = new SchemaPlanStore(deps.state, prefix);
  for (const id of ids.reverse()) {
    const plan = await plans.get(id);
    if (!plan) continue;
    if (plan.classification === 'compatible') return id;
    if ((await approvals.get(id))?.state === 'approved') return id;
  }
  return undefined;
}
