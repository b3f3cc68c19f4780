// The objects the scanner integration tests put into each store, and the figures a scan of them must
// report, computed here by plain arithmetic (not by the aggregator under test).
import type { ObjectStore } from '../../src/providers/ports.js';
import type { SmallFileSummary } from '../../src/domain/small-file-summary.js';

export interface FixtureObject {
  key: string;
  size: number;
}

/** Small-file threshold of the fixtures, so "big" files stay small enough to upload quickly. */
export const FIXTURE_THRESHOLD = 1000;
export const HUGE_PARTITION = 'lake/huge/dt=2026-11-22/';
export const HUGE_KEYS = 3000;

/** `doubleSlash: false` for s3rver, whose router answers 404 to a PUT of a key containing "//". */
export function fixtureObjects(opts: { doubleSlash?: boolean } = {}): FixtureObject[] {
  const out: FixtureObject[] = [];
  let n = 0;
  // distinct sizes, so a key counted twice and another missed cannot cancel out in the byte total
  const add = (key: string, size?: number): void => {
    out.push({ key, size: size ?? 1 + ((n++ * 7919) % 2500) });
  };
  add('root.txt');
  add('empty/', 0); // an empty "folder" made by a console
  add('lake/', 0);
  add('lake/odd/with space/file one.parquet');
  add('lake/odd/with space/ leading and trailing .csv');
  add('lake/odd/unicodé/日本語/データ.json');
  add('lake/odd/unicodé/émoji 🎉.txt');
  add('lake/odd/percent%20literal/a%2Fb.csv');
  add('lake/odd/percent%/100%.csv');
  add('lake/odd/plus+sign/a+b=c.csv');
  add('lake/odd/equals=in=value/x=1.avro');
  add('lake/odd/question?and#hash/x.orc');
  add('lake/odd/quote\'s & amp/"x".json');
  add('lake/odd/empty-child/', 0);
  add('lake/odd/zero.parquet', 0);
  if (opts.doubleSlash ?? true) add('lake/odd/double//slash.txt');
  add('lake/deep/a/b/c/d/e/f/g/h/i/j/k/leaf.parquet');
  add('lake/deep/a/b/c/d/e/f/g/h/i/j/k/leaf2.parquet');
  add('lake/deep/a/b/c/mid.parquet');
  add('lake/deep/a/b/c/d/', 0);
  // a date-partitioned table with job leftovers
  for (const day of ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21']) {
    for (let i = 0; i < 5; i++)
      add(`lake/events/dt=${day}/part-${String(i).padStart(5, '0')}.snappy.parquet`);
    add(`lake/events/dt=${day}/_SUCCESS`, 0);
  }
  add('lake/events/dt=2026-11-21/_temporary/0/_temporary/attempt_1/part-00009.snappy.parquet');
  add('lake/events/dt=2026-11-21/.part-00000.snappy.parquet.crc', 12);
  add('lake/events/dt=2026-11-21/_committed_4711', 0);
  add('lake/events/dt=2026-11-21/_started_4711', 0);
  // one partition big enough to be split when listed 100 keys a page, with objects next to a sub-folder
  for (let i = 0; i < HUGE_KEYS; i++)
    add(`${HUGE_PARTITION}part-${String(i).padStart(5, '0')}-c000.snappy.parquet`);
  add(`${HUGE_PARTITION}zz-sub/x.parquet`);
  return out;
}

export interface ExpectedFigures {
  objects: number;
  objectBytes: number;
  files: number;
  bytes: number;
  smallFiles: number;
  smallBytes: number;
  zeroByteFiles: number;
  folderMarkers: number;
  leftovers: number;
}

const isLeftover = (k: string): boolean => {
  const base = k.slice(k.lastIndexOf('/') + 1);
  return (
    k.includes('_temporary/') ||
    base === '_SUCCESS' ||
    base.endsWith('.crc') ||
    base.startsWith('_committed_') ||
    base.startsWith('_started_')
  );
};

export function expectedFigures(
  objects: FixtureObject[],
  prefix = '',
  threshold = FIXTURE_THRESHOLD,
): ExpectedFigures {
  const e: ExpectedFigures = {
    objects: 0,
    objectBytes: 0,
    files: 0,
    bytes: 0,
    smallFiles: 0,
    smallBytes: 0,
    zeroByteFiles: 0,
    folderMarkers: 0,
    leftovers: 0,
  };
  for (const o of objects) {
    if (!o.key.startsWith(prefix)) continue;
    e.objects++;
    e.objectBytes += o.size;
    if (o.size === 0 && o.key.endsWith('/')) e.folderMarkers++;
    else if (isLeftover(o.key)) e.leftovers++;
    else {
      e.files++;
      e.bytes += o.size;
      if (o.size < threshold) {
        e.smallFiles++;
        e.smallBytes += o.size;
      }
      if (o.size === 0) e.zeroByteFiles++;
    }
  }
  return e;
}

/** Puts the fixture with bounded concurrency. */
export async function putFixture(
  store: ObjectStore,
  container: string,
  objects: FixtureObject[],
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      const o = objects[next++] as FixtureObject;
      await store.putObject(container, o.key, Buffer.alloc(o.size, 0x61));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** The figures of a scan that expectedFigures computes, to compare the two. */
export function scanFigures(s: SmallFileSummary) {
  return {
    objects: s.objects,
    objectBytes: s.objectBytes,
    files: s.files,
    bytes: s.bytes,
    smallFiles: s.smallFiles,
    smallBytes: s.smallBytes,
    zeroByteFiles: s.zeroByteFiles,
    folderMarkers: s.folderMarkers,
    leftovers: s.leftovers.objects,
  };
}

/** The scans the Blob scanner tests run (Azurite, and the simulator's Blob service against it). */
export const BLOB_SCANS: { prefix: string; pageSize: number; concurrency: number; maxDepth?: number }[] = [
  { prefix: '', pageSize: 5000, concurrency: 32 },
  { prefix: '', pageSize: 100, concurrency: 32 },
  { prefix: '', pageSize: 7, concurrency: 4 },
  { prefix: '', pageSize: 100, concurrency: 1 },
  { prefix: '', pageSize: 250, concurrency: 8, maxDepth: 0 },
  { prefix: 'lake/', pageSize: 100, concurrency: 8 },
  { prefix: 'lake/odd/', pageSize: 3, concurrency: 32 },
  { prefix: 'lake/odd', pageSize: 5, concurrency: 2 },
  { prefix: 'lake/deep/', pageSize: 1, concurrency: 3 },
  { prefix: 'lake/events/', pageSize: 2, concurrency: 3 },
  { prefix: HUGE_PARTITION, pageSize: 100, concurrency: 16 },
];
