// Display names for listing people without pinging them: a timeline page or the steps of an
// escalation name many people, and a <@U…> mention in a bot message notifies each of them.
// users.info is Tier 4; names are cached for ten minutes per process.
import type { WebClient } from '@slack/web-api';

const TTL_MS = 10 * 60_000;
const cache = new Map<string, { name: string; until: number }>();

/** id → display name (else real name, else handle) for the Slack user ids given; unknown ids are left out. */
export async function displayNames(slack: WebClient, ids: Iterable<string>): Promise<Map<string, string>> {
  const now = Date.now();
  const out = new Map<string, string>();
  const wanted = [...new Set(ids)].filter((id) => /^[UW][A-Z0-9]{2,}$/.test(id));
  await Promise.all(
    wanted.map(async (id) => {
      const hit = cache.get(id);
      if (hit && hit.until > now) {
        out.set(id, hit.name);
        return;
      }
      try {
        const res = await slack.users.info({ user: id });
        const u = res.user;
        const name = u?.profile?.display_name || u?.real_name || u?.name;
        if (name) {
          cache.set(id, { name, until: now + TTL_MS });
          out.set(id, name);
        }
      } catch {
        // Unknown or not visible: the caller falls back to the id.
      }
    }),
  );
  return out;
}

/** Names of everyone a list of timeline entries mentions: actors and <@U…> in the texts. */
export async function namesForEntries(
  slack: WebClient,
  entries: readonly { actor: string; text: string }[],
): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const e of entries) {
    ids.add(e.actor);
    for (const m of e.text.matchAll(/<@([UW][A-Z0-9]{2,})>/g)) ids.add(m[1]!);
  }
  return await displayNames(slack, ids);
}
