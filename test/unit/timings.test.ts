import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/config/index.js';
import { timingsFrom } from '../../src/deps.js';

test('timings: production waits from medic.yml defaults, as they were before they were configuration', () => {
  const t = timingsFrom(parseConfigText('', 'dev', 'test').config.defaults);
  assert.deepEqual(t, {
    escalationMinuteMs: 60_000,
    monitorMinuteMs: 60_000,
    mitigationPollMs: 30_000,
    mitigationMaxPolls: 720,
    backfillPollMs: 1000,
    backfillMaxPollMs: 30_000,
    // The next run after a mitigation: a look every 5 minutes for followNextRunHours (36 h).
    followPollMs: 300_000,
    followMaxChecks: 432,
  });
  const short = timingsFrom(
    parseConfigText('defaults:\n  followNextRunHours: 2\n', 'dev', 'test').config.defaults,
    {
      followPollMs: 60_000,
    },
  );
  assert.equal(short.followMaxChecks, 120);
});

test('timings: runPollSeconds and followRunHours set how cloud runs are followed; overrides win', () => {
  const yaml = 'defaults:\n  runPollSeconds: 2\n  followRunHours: 2\n';
  const defaults = parseConfigText(yaml, 'dev', 'test').config.defaults;
  const t = timingsFrom(defaults);
  assert.equal(t.mitigationPollMs, 2000);
  assert.equal(t.mitigationMaxPolls, 3600);
  assert.equal(t.backfillMaxPollMs, 2000);
  assert.equal(t.backfillPollMs, 1000);
  const shortened = timingsFrom(defaults, { escalationMinuteMs: 1000, mitigationPollMs: 100 });
  assert.equal(shortened.escalationMinuteMs, 1000);
  assert.equal(shortened.mitigationPollMs, 100);
  assert.equal(shortened.mitigationMaxPolls, 3600);
});

test('timings: a poll interval outside 1–3600 s is refused at start', () => {
  assert.throws(() => parseConfigText('defaults:\n  runPollSeconds: 0\n', 'dev', 'test'), /runPollSeconds/);
});
