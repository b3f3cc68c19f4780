// The one way a backfill copies objects — the snapshot, the backup of production, promotion by copy
// and Rollback: every copy is recorded (a Redis hash of source key → ETag of its copy, one per copy
// set) the moment it returns, and the recorded ones are skipped, so a worker killed in the middle
// resumes where it stopped and copies nothing twice. Multipart uploads in flight are recorded too,
// and the ones a killed worker left behind are aborted before copying again.
import type { ObjectInfo } from '../../src/providers/ports.js';
import { copyObjects, type SnapshotOptions, type SnapshotResult } from '../../src/providers/snapshot.js';
import type { BackfillStore } from '../../src/store/backfills.js';

export interface RecordedCopy extends Omit<SnapshotOptions, 'done' | 'onCopied' | 'onUpload'> {
  /** Names the copy record: the backfill id for the snapshot, `<id>-backup`, `<id>-promote` … */
  setId: string;
  /**
   * The destination as listed before copying: a copy found there with its source's size and ETag
   * completed but was not recorded (in flight when a worker died); it is recorded, not made again.
   */
  existing?: ObjectInfo[];
}

export interface RecordedCopyResult extends SnapshotResult {
  /** Every copy of the set: source key → ETag of its copy (earlier runs' included). */
  etags: Map<string, string>;
}

/** Copies the objects of `o` its record does not hold yet, recording each copy as it completes. */
export async function copyRecorded(store: BackfillStore, o: RecordedCopy): Promise<RecordedCopyResult> {
  const { setId, existing, ...copy } = o;
  for (const [srcKey, uploadId] of await store.uploads(setId)) {
    await copy.store.abortUpload?.({ container: copy.dstContainer, key: copy.dstKey(srcKey) }, uploadId);
    await store.setUpload(setId, srcKey, undefined);
  }
  const etags = await store.copied(setId);
  if (existing?.length) {
    const there = new Map(existing.map((x) => [x.key, x]));
    for (const src of copy.objects) {
      if (etags.has(src.key)) continue;
      const dst = there.get(copy.dstKey(src.key));
      // (S3 keeps the source's ETag on a copy; Azure gives the copy its own, so there an unrecorded
      // copy is made again — the one case a blob can be copied twice.)
      if (dst && dst.size === src.size && dst.etag && dst.etag === src.etag) {
        etags.set(src.key, dst.etag);
        await store.markCopied(setId, src.key, dst.etag);
      }
    }
  }
  const res = await copyObjects({
    ...copy,
    done: new Set(etags.keys()),
    onCopied: async (k, etag) => {
      etags.set(k, etag);
      await store.markCopied(setId, k, etag);
    },
    onUpload: (k, id) => store.setUpload(setId, k, id),
  });
  return { ...res, etags };
}
