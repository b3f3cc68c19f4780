// The backfill flow's data: MyJob's production output (`s3://lake-curated/events/`) as real
// Parquet for the last 5 days (replacing the placeholder objects of myJob), catalogued as
// `lake.events` partitioned by `dt`, and `MyJob-staging` writing the same kind of Parquet to its
// `--output_path` for the window of `--backfill_from`/`--backfill_to` when a run succeeds.
// The same for DriftJob (driftBackfillLake): its production output and `DriftJob-staging`.
import { DAY, DRIFTJOB, HOUR, isoDate, MYJOB, type Scenario } from './scenarios.js';
import { DEFAULT_OUTPUT, writeDay } from './lake-store.js';

export const BACKFILL_LAKE = {
  database: 'lake',
  table: 'events',
  bucket: 'lake-curated',
  prefix: 'events/',
  stagingJob: 'MyJob-staging',
  days: 5,
  columns: [
    { Name: 'event_id', Type: 'bigint' },
    { Name: 'user_id', Type: 'string' },
    { Name: 'amount', Type: 'bigint' },
    { Name: 'event_type', Type: 'string' },
  ],
} as const;

export const backfillLake: Scenario = (state, now) => {
  const b = BACKFILL_LAKE;
  if (!state.glue.jobs.has(b.stagingJob)) return;
  state.glue.addTable({
    DatabaseName: b.database,
    Name: b.table,
    CreateTime: now - 365 * DAY,
    versions: [
      {
        updateTime: now - 200 * DAY,
        columns: b.columns.map((c) => ({ ...c })),
        partitionKeys: [{ Name: 'dt', Type: 'string' }],
        location: MYJOB.output,
        parameters: { classification: 'parquet' },
      },
    ],
  });
  const parts = state.lake.tablePartitions(b.database, b.table);
  for (let ago = 1; ago <= b.days; ago++) {
    const dt = isoDate(now - ago * DAY);
    // Remove myJob's placeholders of that day, then write real Parquet.
    const bucket = state.s3.createBucket(b.bucket);
    for (const o of bucket.storedObjects().filter((x) => x.key.startsWith(`${b.prefix}dt=${dt}/`)))
      bucket.delete(o.key);
    writeDay(state, b.bucket, b.prefix, dt, DEFAULT_OUTPUT, now - ago * DAY + 4 * HOUR);
    parts.set(dt, {
      Values: [dt],
      Location: `s3://${b.bucket}/${b.prefix}dt=${dt}/`,
      CreationTime: now - ago * DAY + 4 * HOUR,
      Parameters: {},
    });
  }
  state.lake.configureOutput(b.stagingJob, {});
};

/**
 * DriftJob's production output (`s3://lake-curated/drift_events/`) as real Parquet for the last
 * 5 days, and `DriftJob-staging` writing the same kind of Parquet when a run succeeds: what the
 * controlled backfill its schema-drift finding offers needs. The output is not catalogued (the
 * catalog table `lake.drift_events` is the job's input, with no partitions), so a promotion goes
 * by copy.
 */
export const driftBackfillLake: Scenario = (state, now) => {
  const m = DRIFTJOB;
  if (!state.glue.jobs.has(m.stagingJob)) return;
  const out = /^s3:\/\/([^/]+)\/(.*)$/.exec(m.output)!;
  state.s3.createBucket(out[1]!, now - 365 * DAY);
  for (let ago = 1; ago <= BACKFILL_LAKE.days; ago++)
    writeDay(state, out[1]!, out[2]!, isoDate(now - ago * DAY), DEFAULT_OUTPUT, now - ago * DAY + 4 * HOUR);
  state.lake.configureOutput(m.stagingJob, {});
};
