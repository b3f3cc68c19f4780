// Parquet footers through ranged reads: hyparquet reads the last 64 KiB of a file (one GET with a
// Range) and asks for a second range only when the footer is longer. Never the whole file.
import { leftoverKind } from '../domain/small-file-keys.js';
import type { ObjectInfo, ObjectStore } from './ports.js';
import { readParquetFooter, type ParquetFooter } from '../domain/backfill-parquet.js';
import type { FileFacts } from '../domain/backfill-plan.js';

const TAIL_BYTES = 64 * 1024;

export async function readFooter(
  store: ObjectStore,
  container: string,
  o: ObjectInfo,
): Promise<ParquetFooter> {
  if (o.size < 12) throw new Error(`${o.key} is too small to be Parquet`);
  return readParquetFooter(
    {
      byteLength: o.size,
      // hyparquet's slice(start, end) is end-exclusive; a Range header is inclusive.
      slice: async (start: number, end = o.size) => {
        const b = await store.getObject(container, o.key, { start, end: end - 1 });
        if (b.length !== end - start)
          throw new Error(`${o.key}: asked for ${end - start} bytes at ${start}, got ${b.length}`);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
      },
    },
    TAIL_BYTES,
  );
}

/** Footers of many files, `concurrency` ranged reads at a time; an unreadable file has no footer. */
export async function readFacts(
  store: ObjectStore,
  container: string,
  objects: ObjectInfo[],
  concurrency = 16,
): Promise<FileFacts[]> {
  const out: FileFacts[] = new Array<FileFacts>(objects.length);
  let next = 0;
  const lane = async () => {
    while (next < objects.length) {
      const i = next++;
      const o = objects[i]!;
      if (!o.key.endsWith('.parquet')) {
        out[i] = { key: o.key, size: o.size };
        continue;
      }
      try {
        out[i] = { key: o.key, size: o.size, footer: await readFooter(store, container, o) };
      } catch {
        out[i] = { key: o.key, size: o.size };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, lane));
  return out;
}

/** Data files of a listing: Spark's markers and temporary files are not data. */
export function dataFiles(objects: ObjectInfo[]): ObjectInfo[] {
  return objects.filter((o) => leftoverKind(o.key) === undefined && !o.key.endsWith('/'));
}
