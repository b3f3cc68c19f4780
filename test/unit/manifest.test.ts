// manifest.yml is what a newcomer pastes into Slack: it must declare every command the bot
// registers, one Request URL for everything, the events it listens to and every scope it uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TRIAGE, SMALLFILES, INCIDENT, BACKFILL, SCHEMA, COST, MISSING } from '../../commands/specs.js';

interface Manifest {
  features: { slash_commands: { command: string; url: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
  };
}

const manifest = parse(readFileSync('manifest.yml', 'utf8')) as Manifest;

test('every slash command of the bot is in the manifest, all on /slack/events', () => {
  const commands = manifest.features.slash_commands.map((c) => c.command).sort();
  assert.deepEqual(
    commands,
    [TRIAGE.name, SMALLFILES.name, INCIDENT.name, BACKFILL.name, SCHEMA.name, COST.name, MISSING.name].sort(),
  );
  for (const c of manifest.features.slash_commands) {
    assert.match(c.url, /\/slack\/events$/);
    assert.equal(c.should_escape, false);
  }
  assert.match(manifest.settings.event_subscriptions.request_url, /\/slack\/events$/);
  assert.equal(manifest.settings.interactivity.is_enabled, true);
  assert.match(manifest.settings.interactivity.request_url, /\/slack\/events$/);
});

test('events and scopes', () => {
  assert.deepEqual(manifest.settings.event_subscriptions.bot_events.sort(), ['reaction_added']);
  const needed = [
    'commands',
    'chat:write',
    'chat:write.public',
    'channels:manage',
    'channels:join',
    // conversations.replies, to quote a :pushpin:-ed message (public and private incident channels).
    'channels:history',
    'groups:history',
    'groups:write',
    'users:read',
    'usergroups:read',
    'files:write',
    'files:read',
    'pins:write',
    'bookmarks:write',
    'reactions:read',
    'im:write',
  ];
  for (const s of needed) assert.ok(manifest.oauth_config.scopes.bot.includes(s), `scope ${s}`);
  // Nothing calls conversations.info/list/members or listens to mentions: not asked for.
  for (const s of ['channels:read', 'app_mentions:read'])
    assert.ok(!manifest.oauth_config.scopes.bot.includes(s), `scope ${s} is not requested`);
  assert.deepEqual(
    [...manifest.oauth_config.scopes.bot].sort(),
    [...needed].sort(),
    'exactly the scopes used',
  );
});
