// `medic config check`: medic.yml must validate for dev, staging and prod and its environment
// overlays must carry the same keys — what CI runs before deploying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { cli } from '../../src/cli/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'medic-config-check-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (d: Buffer) => (chunks.out += d.toString()));
  err.on('data', (d: Buffer) => (chunks.err += d.toString()));
  const code = await cli(args, { out, err } as unknown as Parameters<typeof cli>[1]);
  return { code, ...chunks };
}

test('a medic.yml at parity passes for every environment', async () => {
  const r = await run(['config', 'check', '--config', 'medic.example.yml']);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /medic\.example\.yml: valid for dev, staging, prod; the dev, staging, prod overlays carry the same keys/,
  );
});

test('an overlay missing a key fails, naming the key and the environments without it', async () => {
  const p = file(
    'drift.yml',
    'environments:\n  staging: { region: eu-west-1, slack: { oncallSre: S0STG } }\n  prod: { region: eu-west-1 }\n',
  );
  const r = await run(['config', 'check', '--config', p]);
  assert.equal(r.code, 1);
  assert.match(r.err, /1 problem\n/);
  assert.match(r.err, /slack\.oncallSre is set for staging but not for prod/);
});

test('a problem of one environment only is reported with that environment', async () => {
  const p = file(
    'prod-only.yml',
    'environments:\n  dev: { defaults: { smallFileBytes: 1024 } }\n  prod: { defaults: { smallFileBytes: -1 } }\n',
  );
  const r = await run(['config', 'check', '--config', p]);
  assert.equal(r.code, 1);
  assert.match(r.err, /defaults\.smallFileBytes: .* \[prod\]/);
});

test('the medic binary exits 1 on drift without any environment variable set', () => {
  const p = file('drift2.yml', 'environments:\n  dev: { region: us-east-1 }\n  prod: {}\n');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'config', 'check', '--config', p],
    {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /region is set for dev but not for prod/);
});
