// Spark event logs through the ObjectStore port (S3, Azure Blob): the listing of an event-log
// location and a chunk reader for the domain's streamed reader (domain/spark). Platform-neutral:
// the location comes from the job (Glue: --spark-event-logs-path).
//
// Listing: Glue names applications spark-application-<epoch ms> and 13-digit epochs sort as text,
// so a run's logs are found by listing from just before its start (StartAfter) and stopping past
// its end — for single files and rolled eventlog_v2_ directories alike — instead of listing every
// application the job ever ran. Other names (YARN, local) fall back to a bounded full listing.
//
// Reading: ranged GETs of `chunkBytes`, one at a time, so memory holds one chunk whatever the
// log's size; the reader stops fetching as soon as the consumer stops iterating.
import type { ObjectInfo, ObjectLocation, ObjectStore } from './ports.js';
import type { EventLogListingEntry } from '../domain/spark/event-log-files.js';
import type { ReadChunks } from '../domain/spark/event-log-reader.js';

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
const PAGE = 1000;

export interface EventLogListingOptions {
  /** Only applications started in [from, to] (Glue ids); without it, everything under the prefix. */
  window?: { from: Date; to: Date };
  /** Objects listed at most; default 50,000. */
  maxObjects?: number;
  signal?: AbortSignal;
}

async function listRange(
  store: ObjectStore,
  container: string,
  prefix: string,
  startAfter: string | undefined,
  stopAt: string | undefined,
  max: number,
  out: ObjectInfo[],
  signal?: AbortSignal,
): Promise<void> {
  let token: string | undefined;
  do {
    const page = await store.listPage({
      container,
      prefix,
      ...(startAfter ? { startAfter } : {}),
      ...(token ? { token } : {}),
      maxKeys: PAGE,
      ...(signal ? { signal } : {}),
    });
    for (const o of page.objects) {
      if (stopAt !== undefined && o.key > stopAt) return;
      out.push(o);
      if (out.length >= max) return;
    }
    token = page.nextToken;
  } while (token);
}

/**
 * The objects under an event-log location that can hold a window's applications. With a window,
 * two ranged listings (single files `spark-application-<ms>…` and rolled directories
 * `eventlog_v2_spark-application-<ms>/…`) plus nothing else; the caller groups them with
 * groupEventLogs and picks the run's by its run id.
 */
export async function listEventLogs(
  store: ObjectStore,
  location: Pick<ObjectLocation, 'container' | 'prefix'>,
  opts: EventLogListingOptions = {},
): Promise<EventLogListingEntry[]> {
  const max = opts.maxObjects ?? 50_000;
  const prefix =
    location.prefix === '' || location.prefix.endsWith('/') ? location.prefix : `${location.prefix}/`;
  const out: ObjectInfo[] = [];
  if (opts.window) {
    const from = opts.window.from.getTime();
    const to = opts.window.to.getTime();
    for (const head of ['spark-application-', 'eventlog_v2_spark-application-']) {
      await listRange(
        store,
        location.container,
        `${prefix}${head}`,
        `${prefix}${head}${String(Math.max(0, from - 1)).padStart(13, '0')}`,
        `${prefix}${head}${String(to).padStart(13, '0')}\uffff`,
        max,
        out,
        opts.signal,
      );
    }
    // Nothing by Glue's naming: the location holds other applications; list it (bounded).
    if (out.length === 0)
      await listRange(store, location.container, prefix, undefined, undefined, max, out, opts.signal);
  } else {
    await listRange(store, location.container, prefix, undefined, undefined, max, out, opts.signal);
  }
  return out.map((o) => ({
    key: o.key,
    size: o.size,
    ...(o.lastModified ? { lastModified: o.lastModified } : {}),
  }));
}

/** One object as ranged reads of `chunkBytes`, fetched one at a time as the consumer asks. */
export async function* objectChunks(
  store: ObjectStore,
  container: string,
  key: string,
  size: number,
  opts: { chunkBytes?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Buffer, void, undefined> {
  const chunk = Math.max(1, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  for (let start = 0; start < size; start += chunk) {
    if (opts.signal?.aborted) return;
    const end = Math.min(size, start + chunk) - 1;
    const body = await store.getObject(container, key, { start, end });
    if (body.length === 0) return;
    yield body;
  }
}

/** The domain's ReadChunks over a listing: sizes come from the listing, bytes from ranged GETs. */
export function eventLogReader(
  store: ObjectStore,
  container: string,
  listing: readonly EventLogListingEntry[],
  opts: { chunkBytes?: number; signal?: AbortSignal } = {},
): ReadChunks {
  const sizes = new Map(listing.map((e) => [e.key, e.size]));
  return (key) => objectChunks(store, container, key, sizes.get(key) ?? 0, opts);
}
