// Step 1, snapshot: every input object of the window copied server-side under a timestamped prefix,
// verified (count, bytes, ETags) and described by a manifest next to it.
import { listPrefixes, verifySnapshot } from '../../src/providers/snapshot.js';
import { dataFiles } from '../../src/providers/backfill-footers.js';
import { formatLoc, snapshotKey, type BackfillRecord } from '../../src/domain/backfill-plan.js';
import { refreshProgress } from '../../src/slack/actions/backfill-shared.js';
import { formatBytes } from '../../src/domain/format.js';
import { StepFailure, finish, progressDeps, start, storeFor, uri, type Ctx } from './context.js';
import { copyRecorded } from './resumable-copy.js';
import { stopAfterAbort } from './abort.js';

export async function snapshot(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  const r = await start(ctx, r0, 'snapshot', 'listing the window');
  const p = r.plan;
  const store = storeFor(ctx, p.input);
  const sources = dataFiles(await listPrefixes(store, p.input.container, p.inputPartitions));
  if (!sources.length)
    throw new StepFailure(
      `no input objects under ${p.inputPartitions.map((x) => uri(p.input, x)).join(', ')}`,
    );
  const dstKey = (k: string) => snapshotKey(p, k);
  let lastUpdate = 0;
  const res = await copyRecorded(ctx.store, {
    setId: p.id,
    store,
    objects: sources,
    srcContainer: p.input.container,
    dstContainer: p.snapshot.container,
    dstKey,
    existing: await listPrefixes(storeFor(ctx, p.snapshot), p.snapshot.container, [p.snapshot.prefix]),
    stopped: async () => (await ctx.store.get(p.id))?.status === 'aborted',
    onProgress: (pr) => {
      const now = Date.now();
      if (now - lastUpdate < 2000) return;
      lastUpdate = now;
      void ctx.store
        .update(p.id, (cur) =>
          cur.steps.snapshot.state === 'running'
            ? {
                ...cur,
                steps: {
                  ...cur.steps,
                  snapshot: {
                    ...cur.steps.snapshot,
                    summary: `${pr.copied + pr.skipped} of ${pr.total} objects copied · ${pr.concurrency} in parallel${pr.throttles ? ` · ${pr.throttles} throttled` : ''}`,
                  },
                },
              }
            : undefined,
        )
        .then((cur) => (cur ? refreshProgress(progressDeps(ctx), cur) : undefined))
        .catch(() => undefined);
    },
  });
  if (res.stopped) return stopAfterAbort(ctx, (await ctx.store.get(p.id)) ?? r);
  const done = res.etags;
  const copies = await listPrefixes(storeFor(ctx, p.snapshot), p.snapshot.container, [p.snapshot.prefix]);
  const verified = verifySnapshot(sources, copies, dstKey, done);
  if (!verified.ok)
    throw new StepFailure(`snapshot verification failed: ${verified.problems.slice(0, 5).join('; ')}`);
  const manifestKey = p.snapshot.prefix.replace(/[^/]+\/$/, '') + 'manifest.json';
  const manifest = {
    backfillId: p.id,
    job: p.job,
    window: { from: p.from, to: p.to },
    source: formatLoc(p.input),
    snapshot: formatLoc(p.snapshot),
    createdAt: new Date(ctx.deps.now()).toISOString(),
    count: verified.count,
    bytes: verified.bytes,
    files: sources.map((s) => ({ key: s.key, size: s.size, etag: done.get(s.key) ?? s.etag ?? '' })),
  };
  await storeFor(ctx, p.snapshot).putObject(
    p.snapshot.container,
    manifestKey,
    JSON.stringify(manifest, null, 1),
  );
  const summary = `${verified.count.toLocaleString('en-US')} objects, ${formatBytes(verified.bytes)} verified (count, bytes, ETags) · copied ${res.copied}${res.skipped ? `, ${res.skipped} already done` : ''}${res.multipart ? `, ${res.multipart} multipart` : ''} · peak ${res.peakConcurrency} in parallel${res.throttles ? `, ${res.throttles} throttled` : ''}`;
  return finish(ctx, r, 'snapshot', summary, { link: uri(p.snapshot, manifestKey) });
}
