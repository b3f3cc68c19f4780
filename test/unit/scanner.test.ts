// The scanner against an in-memory ObjectStore with S3's listing semantics: every key counted
// exactly once whatever the key set, page size, concurrency and discovery depth; throttling retried
// and counted; cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scanLocation, splitBoundaries } from '../../src/providers/scanner.js';
import { compareKeys } from '../../src/providers/key-order.js';
import { ProviderError } from '../../src/providers/ports.js';
import type { ListPage, ListPageRequest, ObjectInfo, ObjectStore } from '../../src/providers/ports.js';

/** ListObjectsV2 semantics over a sorted array; tokens are the last key or common prefix returned. */
class MemoryStore implements ObjectStore {
  readonly scheme = 's3' as const;
  readonly keys: string[];
  requests = 0;
  constructor(
    keys: string[],
    private readonly fail?: (req: ListPageRequest, n: number) => ProviderError | undefined,
  ) {
    this.keys = [...new Set(keys)].sort(compareKeys);
  }
  size(key: string): number {
    return key.length;
  }
  async listPage(req: ListPageRequest): Promise<ListPage> {
    const n = ++this.requests;
    await new Promise((r) => setImmediate(r));
    if (req.signal?.aborted) throw new ProviderError('CANCELLED', 'aborted');
    const err = this.fail?.(req, n);
    if (err) throw err;
    const max = req.maxKeys ?? 1000;
    const after = req.token ?? req.startAfter;
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    for (const k of this.keys) {
      if (!k.startsWith(req.prefix)) continue;
      if (after !== undefined && compareKeys(k, after) <= 0) continue;
      if (req.token && req.token.endsWith('\u0000cp') && k.startsWith(req.token.slice(0, -3))) continue;
      const d = req.delimiter ? k.indexOf(req.delimiter, req.prefix.length) : -1;
      const cp = d >= 0 ? k.slice(0, d + 1) : undefined;
      if (cp !== undefined && prefixes.at(-1) === cp) continue;
      if (objects.length + prefixes.length >= max) return { objects, prefixes, nextToken: last as string };
      if (cp !== undefined) {
        prefixes.push(cp);
        last = `${cp}\u0000cp`;
      } else {
        objects.push({ key: k, size: this.size(k) });
        last = k;
      }
    }
    return { objects, prefixes };
  }
  async getObject(): Promise<Buffer> {
    throw new Error('not used');
  }
  async putObject(): Promise<void> {}
  async copy(): Promise<{ etag: string; retried: number; multipart: boolean }> {
    throw new Error('not used');
  }
  async deleteObjects(): Promise<void> {}
}

const loc = (prefix = '') => ({ scheme: 's3' as const, container: 'b', prefix });

async function countedKeys(
  store: MemoryStore,
  prefix: string,
  opts: Parameters<typeof scanLocation>[2] = {},
) {
  const seen: string[] = [];
  const result = await scanLocation(store, loc(prefix), { ...opts, onObject: (o) => seen.push(o.key) });
  return { seen: seen.sort(compareKeys), result };
}

test('compareKeys orders by code point (UTF-8 byte order), not UTF-16 units', () => {
  const sorted = ['a', 'a/', 'a/b', 'ab', 'é', '\uffff', '😀'];
  assert.deepEqual([...sorted].reverse().sort(compareKeys), sorted);
  assert.ok(compareKeys('\uffff', '😀') < 0); // UTF-16 order would say the opposite
});

test('splitBoundaries continues the key sequence of a page', () => {
  const keys = Array.from({ length: 100 }, (_, i) => `p/file-${String(i).padStart(5, '0')}.bin`);
  const b = splitBoundaries(keys, 2);
  assert.deepEqual(b.slice(0, 3), ['p/file-001', 'p/file-002', 'p/file-003']);
  assert.ok(b.includes('p/file-01') && b.includes('p/file-1'));
  assert.ok(b.every((x) => compareKeys(x, keys.at(-1) as string) > 0));
  assert.deepEqual(splitBoundaries(keys, 2, 'p/file-003'), ['p/file-001', 'p/file-002']);
  // hex keys split in hex
  const hex = ['p/00a1', 'p/00b2', 'p/00c3'];
  assert.ok(splitBoundaries(hex, 2).includes('p/00d'));
  assert.deepEqual(splitBoundaries(['p/x'], 2), []);
  assert.equal(splitBoundaries(keys, 2, undefined, 4).length, 4);
});

test('every key is counted exactly once, whatever the key set and the settings', async () => {
  const segment = fc.constantFrom(
    'a',
    'b',
    'dt=2026-11-20',
    'k=v',
    'x y',
    'é',
    '日本',
    '%',
    '+',
    '',
    '0',
    '00',
    '1',
    '😀',
  );
  // S3 keys are 1 to 1,024 bytes: no empty key
  const key = fc
    .array(segment, { minLength: 1, maxLength: 5 })
    .map((s) => s.join('/'))
    .filter((k) => k.length > 0);
  const keySet = fc.array(key, { minLength: 0, maxLength: 120 });
  await fc.assert(
    fc.asyncProperty(
      keySet,
      fc.constantFrom('', 'a/', 'a', 'dt=2026-11-20/', 'x'),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 8 }),
      fc.constantFrom(0, 1, 2, 16),
      fc.boolean(),
      async (keys, prefix, pageSize, concurrency, maxDepth, splitRanges) => {
        const store = new MemoryStore(keys);
        const { seen, result } = await countedKeys(store, prefix, {
          pageSize,
          concurrency,
          maxDepth,
          splitRanges,
        });
        const expected = store.keys.filter((k) => k.startsWith(prefix));
        assert.deepEqual(seen, expected);
        assert.equal(result.summary.objects, expected.length);
        assert.equal(result.requests, store.requests);
      },
    ),
    { numRuns: 200 },
  );
});

test('a huge flat partition is split into ranges and still counted exactly', async () => {
  const keys: string[] = [];
  for (let i = 0; i < 5000; i++)
    keys.push(`t/dt=2026-11-20/part-${String(i).padStart(5, '0')}-c000.snappy.parquet`);
  for (let i = 0; i < 300; i++)
    keys.push(`t/dt=2026-11-20/${(i * 2654435761).toString(16).padStart(8, '0')}.json`);
  const store = new MemoryStore(keys);
  const { seen, result } = await countedKeys(store, 't/', { pageSize: 50, concurrency: 16 });
  assert.deepEqual(seen, store.keys);
  assert.ok(result.splits > 0);
});

test('throttled requests are retried with backoff and reported', async () => {
  const keys = Array.from({ length: 400 }, (_, i) => `p/k=${i % 7}/f-${i}`);
  let throttles = 0;
  const store = new MemoryStore(keys, (_req, n) =>
    n % 3 === 0 && throttles++ < 20 ? new ProviderError('THROTTLED', 'SlowDown') : undefined,
  );
  const { seen, result } = await countedKeys(store, '', { pageSize: 10, retryBaseMs: 1, retryMaxMs: 4 });
  assert.deepEqual(seen, store.keys);
  assert.equal(result.throttledRequests, 20);
  assert.equal(result.retries, 20);
  assert.equal(result.slowed, true);
  assert.equal(result.requests, store.requests);
});

test('a failure that retrying cannot fix stops the scan with its code', async () => {
  const store = new MemoryStore(['a/1', 'b/2'], (req) =>
    req.prefix === 'b/'
      ? new ProviderError('ACCESS_DENIED', 'denied', { action: 's3:ListBucket' })
      : undefined,
  );
  await assert.rejects(
    scanLocation(store, loc()),
    (e: unknown) => e instanceof ProviderError && e.code === 'ACCESS_DENIED',
  );
  const unknown = new MemoryStore(['a'], () => new Error('socket hang up') as ProviderError);
  await assert.rejects(
    scanLocation(unknown, loc(), { maxRetries: 2, retryBaseMs: 1 }),
    (e: unknown) => e instanceof ProviderError && e.code === 'UNAVAILABLE',
  );
});

test('cancellation rejects with CANCELLED, also while backing off', async () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `p/${i}`);
  const ac = new AbortController();
  await assert.rejects(
    scanLocation(new MemoryStore(keys), loc(), {
      pageSize: 10,
      concurrency: 2,
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => p.objects > 100 && ac.abort(),
    }),
    (e: unknown) => e instanceof ProviderError && e.code === 'CANCELLED',
  );
  const slow = new AbortController();
  const throttled = new MemoryStore(keys, () => new ProviderError('THROTTLED', 'SlowDown'));
  const pending = scanLocation(throttled, loc(), {
    signal: slow.signal,
    retryBaseMs: 60_000,
    retryMaxMs: 60_000,
  });
  setTimeout(() => slow.abort(), 20);
  await assert.rejects(pending, (e: unknown) => e instanceof ProviderError && e.code === 'CANCELLED');
});
