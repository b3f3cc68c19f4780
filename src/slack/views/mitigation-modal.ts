// The mitigation modal: parameters prefilled from the findings and the job definition triage read
// (carried in the button's value, so the modal opens with no slow call inside the 3-second
// trigger window), a reason, and a dry-run choice. Pure: context in, view out; values in, params
// or field errors out.
import { z } from 'zod';
import type { MedicConfig } from '../../config/index.js';
import {
  MITIGATION_KINDS,
  type MitigationKind,
  type MitigationParams,
} from '../../domain/approval-policy.js';
import { PROVIDER_NAMES } from '../../providers/names.js';
import type { PlatformTerms, ScalingOptions } from '../../providers/ports.js';
import { KIND_TITLE, type RequestValue } from '../blocks/approval-request.js';
import type { Block } from '../blocks/kit.js';
import { code, truncate } from '../mrkdwn.js';

export const MITIGATION_CALLBACK = 'medic.mitigation.submit';

const MIB = 1024 * 1024;
export const DEFAULT_SHUFFLE_PARTITIONS = 400;

/** What the modal needs of the job's platform (no call: the adapter knows it). */
export interface ModalPlatform {
  terms: Pick<PlatformTerms, 'runIdExample'>;
  scaling?: ScalingOptions;
}

/** What the modal carries to the submission (private_metadata, ≤ 3,000 chars). */
export const ModalContext = z.object({
  kind: z.enum(MITIGATION_KINDS),
  job: z.string(),
  /** The job's platform, when the triage named one (else the job's config). */
  provider: z.enum(PROVIDER_NAMES).optional(),
  env: z.string(),
  channel: z.string(),
  incidentId: z.string().optional(),
  findingId: z.string().optional(),
  workers: z.number().optional(),
  workerType: z.string().optional(),
});
export type ModalContext = z.infer<typeof ModalContext>;

export function modalContext(
  kind: MitigationKind,
  v: RequestValue,
  channel: string,
  defaultEnv: string,
): ModalContext {
  return {
    kind,
    job: v.j,
    ...(v.p ? { provider: v.p } : {}),
    env: v.e ?? defaultEnv,
    channel,
    ...(v.i ? { incidentId: v.i } : {}),
    ...(v.f ? { findingId: v.f } : {}),
    ...(v.w !== undefined ? { workers: v.w } : {}),
    ...(v.t ? { workerType: v.t } : {}),
  };
}

const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });

function textInput(
  blockId: string,
  label: string,
  opts: {
    initial?: string;
    multiline?: boolean;
    optional?: boolean;
    hint?: string;
    placeholder?: string;
    max?: number;
  } = {},
): Block {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: `${blockId}_input`,
      ...(opts.initial ? { initial_value: opts.initial } : {}),
      ...(opts.multiline ? { multiline: true } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
      ...(opts.max ? { max_length: opts.max } : {}),
    },
  };
}

function option(text: string, value: string) {
  return { text: plain(text), value };
}

function checkbox(
  blockId: string,
  label: string,
  text: string,
  checked: boolean,
  description?: string,
): Block {
  const opt = { ...option(text, 'yes'), ...(description ? { description: plain(description) } : {}) };
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: plain(label),
    element: {
      type: 'checkboxes',
      action_id: `${blockId}_input`,
      options: [opt],
      ...(checked ? { initial_options: [opt] } : {}),
    },
  };
}

/** Input location: the job's configured input, else what triage listed. */
export function mitigationModal(
  ctx: ModalContext,
  v: RequestValue,
  cfg: MedicConfig,
  medicEnv: string,
  platform: ModalPlatform,
  dataOwner?: string,
): Record<string, unknown> {
  const jobCfg = cfg.jobs[ctx.job];
  const blocks: Block[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `${code(ctx.job)} in ${code(ctx.env)}${ctx.incidentId ? ` · incident ${code(ctx.incidentId)}` : ''}. Submitting posts an approval request in the channel; nothing runs until someone allowed approves it.`,
          3000,
        ),
      },
    },
  ];
  switch (ctx.kind) {
    case 'compaction':
      blocks.push(
        textInput('compaction_job', 'Compaction job', {
          initial: jobCfg?.compactionJob ?? `${ctx.job}-compaction`,
          hint: jobCfg?.compactionJob
            ? 'From jobs.<job>.compactionJob'
            : 'Not configured: jobs.<job>.compactionJob',
          max: 255,
        }),
        textInput('input_location', 'Input location', {
          ...((v.in ?? jobCfg?.input) ? { initial: (v.in ?? jobCfg?.input)! } : {}),
          placeholder: 's3://bucket/prefix/',
          max: 1024,
        }),
        textInput('target_mb', 'Target file size (MB)', {
          initial: String(Math.round(cfg.defaults.compactionTargetBytes / MIB)),
          max: 7,
        }),
      );
      break;
    case 'scale': {
      const sc = platform.scaling;
      if (!sc) break;
      const type = ctx.workerType && sc.sizes.includes(ctx.workerType) ? ctx.workerType : sc.defaultSize;
      const opts = sc.sizes.map((t) => option(t, t));
      const rerun = option(sc.rerunLabel, 'rerun');
      const modes = [rerun, ...(sc.persistentLabel ? [option(sc.persistentLabel, 'persistent')] : [])];
      blocks.push(
        textInput('workers', sc.countLabel, {
          initial: String(Math.min(sc.maxCount, ctx.workers ? ctx.workers * 2 : 10)),
          hint: ctx.workers ? `Now ${ctx.workers} × ${ctx.workerType ?? '?'}` : 'Current size unknown',
          max: String(sc.maxCount).length,
        }),
        {
          type: 'input',
          block_id: 'worker_type',
          label: plain(sc.sizeLabel),
          element: {
            type: 'static_select',
            action_id: 'worker_type_input',
            options: opts,
            initial_option: option(type, type),
          },
        },
        {
          type: 'input',
          block_id: 'scale_mode',
          label: plain('How'),
          element: {
            type: 'radio_buttons',
            action_id: 'scale_mode_input',
            options: modes,
            initial_option: rerun,
          },
        },
      );
      break;
    }
    case 'shuffle-tuning':
      blocks.push(
        textInput('shuffle_partitions', 'spark.sql.shuffle.partitions', {
          initial: String(DEFAULT_SHUFFLE_PARTITIONS),
          hint: 'Spark default 200',
          max: 6,
        }),
        checkbox(
          'skew_join',
          'Adaptive skew join',
          'Enable AQE skew join',
          true,
          'spark.sql.adaptive.enabled=true, spark.sql.adaptive.skewJoin.enabled=true',
        ),
      );
      break;
    case 'bookmark-reset':
      blocks.push(
        textInput('run_id', 'Reset to run id (optional)', {
          ...(v.r ? { initial: v.r } : {}),
          optional: true,
          hint: 'Empty: reset the bookmark completely',
          max: 255,
        }),
      );
      break;
    case 'recovery-rerun':
      blocks.push(
        textInput('run_id', 'Failed run to recover', {
          ...(v.r ? { initial: v.r } : {}),
          hint: "Its own parameters are used again (the platform's recovery mode)",
          max: 255,
        }),
        textInput('start_step', 'Start from step (activity)', {
          ...(v.a ? { initial: v.a } : {}),
          optional: true,
          hint: v.a
            ? 'The step the run failed at; the steps before it are not run again'
            : 'Empty: every step runs again',
          max: 255,
        }),
      );
      break;
    case 'code-fix':
      blocks.push(
        {
          type: 'input',
          block_id: 'owner',
          label: plain('Owner'),
          element: {
            type: 'users_select',
            action_id: 'owner_input',
            ...(dataOwner ? { initial_user: dataOwner } : {}),
          },
        },
        textInput('description', 'What to fix', { multiline: true, max: 2000 }),
      );
      break;
  }
  blocks.push(
    textInput('reason', 'Reason', { multiline: true, placeholder: 'Why this mitigation, now', max: 1500 }),
  );
  if (ctx.kind !== 'code-fix') {
    blocks.push(
      medicEnv === 'dev'
        ? {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: ':test_tube: This bot runs in `dev`: once approved, it shows the exact calls without making them.',
              },
            ],
          }
        : checkbox('dry_run', 'Dry run', 'Dry run: show the exact calls, make none', false),
    );
  }
  return {
    type: 'modal',
    callback_id: MITIGATION_CALLBACK,
    private_metadata: JSON.stringify(ctx),
    title: plain(KIND_TITLE[ctx.kind]),
    submit: plain(ctx.kind === 'code-fix' ? 'Record' : 'Request approval'),
    close: plain('Cancel'),
    blocks,
  };
}

type StateValues = Record<
  string,
  Record<
    string,
    {
      value?: string | null;
      selected_option?: { value: string } | null;
      selected_options?: { value: string }[];
      selected_user?: string | null;
    }
  >
>;

export interface Submission {
  params: MitigationParams;
  reason: string;
  dryRunChosen: boolean;
}

/** Read and validate the submitted values: params, or an error per block. */
export function readSubmission(
  ctx: ModalContext,
  values: StateValues,
  platform: ModalPlatform,
): { ok: true; submission: Submission } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const get = (block: string) => values[block]?.[`${block}_input`];
  const text = (block: string) => (get(block)?.value ?? '').trim();
  const int = (block: string, min: number, max: number): number => {
    const s = text(block);
    const n = Number(s);
    if (!/^\d+$/.test(s) || n < min || n > max) errors[block] = `A whole number from ${min} to ${max}`;
    return n;
  };
  const reason = text('reason');
  if (!reason) errors.reason = 'Say why: approvers read this';
  const dryRunChosen = (get('dry_run')?.selected_options ?? []).length > 0;
  let params: MitigationParams | undefined;
  switch (ctx.kind) {
    case 'compaction': {
      const compactionJob = text('compaction_job');
      const inputLocation = text('input_location');
      const mb = int('target_mb', 1, 10_240);
      if (!compactionJob) errors.compaction_job = 'Name the compaction job';
      if (!/^(s3:\/\/|abfss:\/\/|az:\/\/|https:\/\/)\S+$/.test(inputLocation))
        errors.input_location = 'An s3://bucket/prefix/ (or Azure) location';
      params = { kind: 'compaction', compactionJob, inputLocation, targetFileBytes: mb * MIB };
      break;
    }
    case 'scale': {
      const sc = platform.scaling;
      const count = int('workers', 1, sc?.maxCount ?? 1);
      const size = get('worker_type')?.selected_option?.value ?? ctx.workerType ?? '';
      if (!sc?.sizes.includes(size)) errors.worker_type = `Pick a ${(sc?.sizeLabel ?? 'size').toLowerCase()}`;
      const persistent = get('scale_mode')?.selected_option?.value === 'persistent' && !!sc?.persistentLabel;
      params = {
        kind: 'scale',
        size,
        count,
        persistent,
        ...(ctx.workerType ? { fromSize: ctx.workerType } : {}),
        ...(ctx.workers !== undefined ? { fromCount: ctx.workers } : {}),
      };
      break;
    }
    case 'shuffle-tuning': {
      const shufflePartitions = int('shuffle_partitions', 1, 100_000);
      const skewJoin = (get('skew_join')?.selected_options ?? []).length > 0;
      params = { kind: 'shuffle-tuning', shufflePartitions, skewJoin };
      break;
    }
    case 'bookmark-reset': {
      const runId = text('run_id');
      if (runId && !/^[A-Za-z0-9_-]{1,255}$/.test(runId))
        errors.run_id = `A run id (${platform.terms.runIdExample})`;

      params = { kind: 'bookmark-reset', ...(runId ? { runId } : {}) };
      break;
    }
    case 'recovery-rerun': {
      const runId = text('run_id');
      const step = text('start_step');
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(runId)) errors.run_id = `A run id (${platform.terms.runIdExample})`;
      if (step.length > 255) errors.start_step = 'At most 255 characters';
      params = { kind: 'recovery-rerun', runId, ...(step ? { step } : {}) };
      break;
    }
    case 'code-fix': {
      const owner = get('owner')?.selected_user ?? '';
      const description = text('description');
      if (!/^[UW][A-Z0-9]{2,}$/.test(owner)) errors.owner = 'Pick the owner';
      if (!description) errors.description = 'Say what to fix';
      params = { kind: 'code-fix', owner, description };
      break;
    }
  }
  if (Object.keys(errors).length || !params) return { ok: false, errors };
  return { ok: true, submission: { params, reason, dryRunChosen } };
}
