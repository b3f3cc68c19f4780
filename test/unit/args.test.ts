import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCommand, parseSize, parseDate, tokenize, decodeSlackText, shown } from '../../commands/args.js';
import { TRIAGE, SMALLFILES, INCIDENT, BACKFILL } from '../../commands/specs.js';
import { validateTriage } from '../../commands/triage.js';

test('help in its usual spellings', () => {
  for (const t of ['help', 'HELP', ' --help ', '-h', '?'])
    assert.deepEqual(parseCommand(TRIAGE, t), { kind: 'help' });
});

test('flags: --name value, --name=value, quoted values, curly quotes', () => {
  const p = parseCommand(TRIAGE, 'MyJob --runs=20 --threshold 45 --input “s3://a b/c”');
  assert.equal(p.kind, 'ok');
  if (p.kind !== 'ok') return;
  assert.deepEqual(p.positional, ['MyJob']);
  assert.deepEqual(p.flags, { runs: 20, threshold: 45, input: 's3://a b/c' });
});

test('Slack entities are decoded before parsing', () => {
  assert.equal(decodeSlackText('a &lt;b&gt; &amp;amp;'), 'a <b> &amp;');
  const p = parseCommand(TRIAGE, 'Job&amp;Co');
  assert.ok(p.kind === 'ok' && p.positional[0] === 'Job&Co');
});

test('errors are collected and name the flag', () => {
  const p = parseCommand(TRIAGE, 'MyJob --runs 1.5 --consecutive 0 --bogus x');
  assert.equal(p.kind, 'error');
  if (p.kind !== 'error') return;
  assert.match(p.message, /--runs needs a whole number/);
  assert.match(p.message, /--consecutive must be at least 1/);
  assert.match(p.message, /unknown option --bogus/);
});

test('a flag given twice is an error', () => {
  const p = parseCommand(TRIAGE, 'MyJob --runs 5 --runs 6');
  assert.ok(p.kind === 'error' && /given twice/.test(p.message));
});

test('sizes: 32MiB, 32MB, bytes, decimals; junk refused', () => {
  assert.equal(parseSize('32MiB'), 33554432);
  assert.equal(parseSize('32MB'), 32_000_000);
  assert.equal(parseSize('33554432'), 33554432);
  assert.equal(parseSize('1.5 GiB'), 1610612736);
  assert.equal(parseSize('12XB'), undefined);
  assert.equal(parseSize('-3'), undefined);
  const p = parseCommand(SMALLFILES, 's3://b/p --threshold 64MiB');
  assert.ok(p.kind === 'ok' && p.flags.threshold === 64 * 1024 * 1024);
});

test('dates must be real calendar days', () => {
  assert.equal(parseDate('2026-02-28'), '2026-02-28');
  assert.equal(parseDate('2026-02-30'), undefined);
  assert.equal(parseDate('26-1-1'), undefined);
  const p = parseCommand(BACKFILL, 'MyJob --from 2026-13-01 --to 2026-11-02');
  assert.ok(p.kind === 'error' && /--from needs a date/.test(p.message));
});

test('/incident takes the rest of the words as one argument', () => {
  const p = parseCommand(INCIDENT, 'declare Events late again --severity sev2');
  assert.ok(p.kind === 'ok');
  if (p.kind !== 'ok') return;
  assert.deepEqual(p.positional, ['declare', 'Events late again']);
  assert.equal(p.flags.severity, 'sev2');
});

test('tokenize refuses an unterminated quote', () => {
  assert.throws(() => tokenize('a "b c'), /unterminated quote/);
  assert.deepEqual(tokenize(`a 'b c' d`), ['a', 'b c', 'd']);
});

test('property: any printable job name of 1–255 characters without spaces or quotes is accepted as is', () => {
  const nameChar = fc.constantFrom(...'abcXYZ019_-.é漢😀:/='.split(''));
  fc.assert(
    fc.property(fc.array(nameChar, { minLength: 1, maxLength: 255 }), (chars) => {
      const name = chars.join('');
      if (name.length > 255 || /^(help|-h|--help|\?)$/i.test(name) || name.startsWith('--')) return;
      const v = validateTriage(name);
      assert.ok(v.ok, `accepted: ${name}`);
      assert.equal(v.ok && v.request.job, name);
    }),
  );
});

test('property: the parser never throws, whatever the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      for (const spec of [TRIAGE, SMALLFILES, INCIDENT, BACKFILL]) {
        const p = parseCommand(spec, text);
        assert.ok(['ok', 'error', 'help'].includes(p.kind));
      }
    }),
  );
});

test('shown(): bidi controls removed, long arguments cut to 200 characters with …', () => {
  assert.equal(shown('abc\u202edcba\u2066x\u2069'), 'abcdcbax');
  const long = shown('x'.repeat(10_000));
  assert.equal(Array.from(long).length, 200);
  assert.ok(long.endsWith('…'));
  assert.equal(shown('short'), 'short');
});
