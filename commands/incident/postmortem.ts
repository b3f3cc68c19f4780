// /incident postmortem: the RCA draft in Markdown (domain/postmortem), uploaded to the channel as a
// file and, when `postmortem.s3Uri` is configured, written there too (the team's knowledge base).
// It runs in the listener after the ack: the S3 copy uses the listener's providers when bootstrap
// passes them, and otherwise says plainly that it was not written. Writing it ticks
// "Post-mortem y actualización del MCP".
import type { Incident } from '../../src/store/incidents.js';
import { draftPostmortem } from '../../src/domain/postmortem.js';
import { namesForEntries } from '../../src/slack/user-names.js';
import { refreshChecklistMessage } from '../../src/slack/checklist-message.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { parseObjectUri } from '../../src/providers/object-uri.js';
import {
  afterAck,
  ephemeral,
  recordCommand,
  reply,
  type IncidentContext,
  type IncidentOutcome,
} from './shared.js';

export const POSTMORTEM_ITEM = 'postmortem-mcp';

/** Where the post-mortem goes under `postmortem.s3Uri`: <prefix>/<incident id>.md */
export function postmortemKey(prefix: string, incidentId: string): string {
  const base = prefix.replace(/\/+$/, '');
  return `${base ? `${base}/` : ''}${incidentId}.md`;
}

export async function postmortem(ctx: IncidentContext, incident: Incident): Promise<IncidentOutcome> {
  const { deps, command, ack } = ctx;
  await ack(
    ephemeral(`:memo: Drafting the post-mortem of *${escapeMrkdwn(incident.id)}* from its timeline…`),
  );
  await afterAck(ctx, 'postmortem', async () => {
    const now = deps.now();
    await recordCommand(ctx, incident);
    if (deps.checklists.has(POSTMORTEM_ITEM)) {
      const changed = await deps.checklists.set(incident.id, POSTMORTEM_ITEM, true, command.user_id, {
        at: now,
        onlyIfUnset: true,
      });
      if (changed)
        await deps.timeline.append(incident.id, {
          at: now,
          kind: 'checklist',
          actor: command.user_id,
          text: `Checklist ticked: ${deps.checklists.label(POSTMORTEM_ITEM)} (post-mortem drafted)`,
        });
    }
    const [entries, checklist, fresh, all] = await Promise.all([
      deps.timeline.list(incident.id),
      deps.checklists.get(incident.id),
      deps.incidents.get(incident.id),
      deps.checklists.getAll(incident.id),
    ]);
    const record = fresh ?? incident;
    const runbooks = all.slice(1).map((r) => ({ title: r.runbook.title, checklist: r.checklist }));
    // People by name, not by Slack id: everyone on the timeline, the record and the checklists.
    const names = await namesForEntries(deps.slack, [
      ...entries,
      ...[record.commander, record.dataOwner, ...all.flatMap((r) => r.checklist.items.map((i) => i.doneBy))]
        .filter((u): u is string => Boolean(u))
        .map((actor) => ({ actor, text: '' })),
    ]);
    const markdown = draftPostmortem({
      incident: record,
      timeline: entries,
      checklist,
      now,
      names,
      ...(runbooks.length ? { runbooks } : {}),
    });
    const filename = `postmortem-${incident.id}.md`;
    await deps.slack.files.uploadV2({
      channel_id: incident.channel,
      filename,
      title: `Post-mortem draft ${incident.id}`,
      content: markdown,
      snippet_type: 'markdown',
      initial_comment: `:memo: Post-mortem draft of ${incident.id} (${entries.length} timeline entries). Review it, then file it in the MCP.`,
    });
    await refreshChecklistMessage(deps, incident.id).catch((err: unknown) =>
      deps.logger.warn({ err, incidentId: incident.id }, 'could not refresh the checklist'),
    );
    const s3Uri = deps.config.medic.postmortem?.s3Uri;
    if (!s3Uri) return;
    let note: string;
    try {
      const loc = parseObjectUri(s3Uri);
      const key = postmortemKey(loc.prefix, incident.id);
      if (!deps.providers) {
        note = `:information_source: Not written to ${escapeMrkdwn(s3Uri)}: this process has no object store configured for listeners.`;
      } else {
        await deps.providers.objectStore(loc.scheme).putObject(loc.container, key, markdown);
        note = `:floppy_disk: Post-mortem also written to \`${escapeMrkdwn(`${s3Uri.replace(/\/+$/, '')}/${incident.id}.md`)}\`.`;
        await deps.timeline.append(incident.id, {
          at: deps.now(),
          kind: 'report',
          actor: 'medic',
          text: `Post-mortem written to ${s3Uri}`,
        });
      }
    } catch (err) {
      deps.logger.warn({ err, incidentId: incident.id }, 'could not write the post-mortem to object storage');
      note = `:warning: The post-mortem was uploaded here but could not be written to ${escapeMrkdwn(s3Uri)}: ${escapeMrkdwn((err as Error).message)}`;
    }
    await reply(ctx, note);
  });
  return 'done';
}
