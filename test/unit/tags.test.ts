// Tag requirements (costControls.requiredTags) and the key=value selector of /cost and budgets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRequiredTags,
  formatTagSelector,
  matchesTag,
  missingTagsFingerprint,
  parseTagSelector,
} from '../../src/domain/tags.js';

const REQUIRED = ['cost-center', 'owner'];

const CASES: { name: string; tags: Record<string, string>; missing: string[]; near?: [string, string][] }[] =
  [
    { name: 'every required tag present', tags: { 'cost-center': 'growth', owner: 'data-eng' }, missing: [] },
    { name: 'untagged', tags: {}, missing: ['cost-center', 'owner'] },
    { name: 'one missing, in the required order', tags: { owner: 'data-eng' }, missing: ['cost-center'] },
    {
      name: 'a blank value counts as missing',
      tags: { 'cost-center': '  ', owner: 'x' },
      missing: ['cost-center'],
    },
    {
      name: 'another case is a near miss, still missing (tag keys are case-sensitive)',
      tags: { Owner: 'data-eng', 'cost-center': 'growth' },
      missing: ['owner'],
      near: [['owner', 'Owner']],
    },
    { name: 'extra tags are fine', tags: { 'cost-center': 'a', owner: 'b', env: 'prod' }, missing: [] },
  ];

for (const c of CASES) {
  test(`required tags: ${c.name}`, () => {
    const r = checkRequiredTags(c.tags, REQUIRED);
    assert.deepEqual(r.missing, c.missing);
    assert.deepEqual(
      r.nearMisses.map((n) => [n.required, n.found]),
      c.near ?? [],
    );
  });
}

test('nothing required: nothing missing; duplicates in the requirement are said once', () => {
  assert.deepEqual(checkRequiredTags({}, []).missing, []);
  assert.deepEqual(checkRequiredTags({}, ['owner', 'owner']).missing, ['owner']);
});

test('a tag named like an Object.prototype member is not mistaken for present', () => {
  assert.deepEqual(checkRequiredTags({}, ['constructor', 'toString']).missing, ['constructor', 'toString']);
  assert.equal(matchesTag({}, { key: 'constructor', value: 'x' }), false);
});

test('tag selectors: key=value, the first = splits, both sides needed', () => {
  assert.deepEqual(parseTagSelector('cost-center=growth'), {
    ok: true,
    selector: { key: 'cost-center', value: 'growth' },
  });
  assert.deepEqual(parseTagSelector('expr=a=b'), { ok: true, selector: { key: 'expr', value: 'a=b' } });
  for (const bad of ['growth', '=growth', 'cost-center=', `${'k'.repeat(129)}=v`]) {
    const r = parseTagSelector(bad);
    assert.equal(r.ok, false, bad);
  }
  assert.equal(formatTagSelector({ key: 'team', value: 'growth' }), 'team=growth');
  assert.equal(matchesTag({ team: 'growth' }, { key: 'team', value: 'growth' }), true);
  assert.equal(matchesTag({ team: 'Growth' }, { key: 'team', value: 'growth' }), false);
});

test('the fingerprint of what is missing ignores order and repeats', () => {
  assert.equal(
    missingTagsFingerprint(['owner', 'cost-center']),
    missingTagsFingerprint(['cost-center', 'owner', 'owner']),
  );
  assert.notEqual(missingTagsFingerprint(['owner']), missingTagsFingerprint(['cost-center']));
});
