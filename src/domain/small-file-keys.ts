// Key anatomy of a lake listing: which partition a key belongs to and the date it carries, its file
// format, and whether it is a job leftover (_SUCCESS, _temporary/, .crc …) rather than data. Pure.

const HIVE_SEGMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s;
const COMPRESSION = new Set([
  'gz',
  'gzip',
  'bz2',
  'zst',
  'zstd',
  'snappy',
  'lz4',
  'xz',
  'deflate',
  'br',
  'lzo',
]);

export type LeftoverKind = 'temporary' | 'success' | 'crc' | 'commitMarkers' | 'folderSuffix';

/** Which kind of job leftover a key is, if any. */
export function leftoverKind(key: string): LeftoverKind | undefined {
  if (key.startsWith('_temporary/') || key.includes('/_temporary/')) return 'temporary';
  if (key.endsWith('_$folder$')) return 'folderSuffix';
  const base = key.slice(key.lastIndexOf('/') + 1);
  if (base === '_SUCCESS') return 'success';
  if (base.endsWith('.crc')) return 'crc';
  if (base.startsWith('_committed_') || base.startsWith('_started_')) return 'commitMarkers';
  return undefined;
}

/** Format of a data file from its name: part-0.snappy.parquet → parquet, x.json.gz → json.gz, none → "(none)". */
export function fileFormat(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const parts = base.split('.');
  if (parts.length < 2 || (parts.length === 2 && parts[0] === '')) return '(none)';
  const last = parts[parts.length - 1] ?? '';
  const prev = parts.length >= 3 ? (parts[parts.length - 2] ?? '') : '';
  const ok = (e: string): boolean => /^[a-z0-9]{1,10}$/.test(e);
  if (!ok(last)) return '(other)';
  // part-0000.snappy.parquet is parquet; events.json.gz is json.gz; part-0000.gz.parquet stays parquet
  if (COMPRESSION.has(last) && prev && ok(prev) && !COMPRESSION.has(prev) && !/^\d+$/.test(prev))
    return `${prev}.${last}`;
  return last;
}

/** The partition of a key: its path up to the last Hive `key=value/` folder, else its folder. */
export function partitionOf(key: string): string {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return '';
  const folders = key.slice(0, slash).split('/');
  for (let i = folders.length - 1; i >= 0; i--) {
    if (HIVE_SEGMENT.test(folders[i] ?? '')) return folders.slice(0, i + 1).join('/') + '/';
  }
  return key.slice(0, slash + 1);
}

const DATE_KEYS = /^(dt|date|ds|day|d|event_date|partition_date|load_date|ingest_date|.*_date|.*_dt)$/i;

/**
 * The sortable date of a partition path, if its Hive segments carry one: `dt=2026-11-20`,
 * `date=20261120`, `year=2026/month=11/day=20[/hour=05]`. Returns { rank, day } where rank orders
 * partitions (may include the hour) and day is the bucket of the newest-vs-median comparison.
 */
export function partitionDate(partition: string): { rank: string; day: string } | undefined {
  let year: string | undefined;
  let month: string | undefined;
  let day: string | undefined;
  let hour: string | undefined;
  let full: string | undefined;
  for (const seg of partition.split('/')) {
    const m = HIVE_SEGMENT.exec(seg);
    if (!m) continue;
    const name = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    if (full === undefined) {
      const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}))?/.exec(value);
      const compact = /^(\d{4})(\d{2})(\d{2})(\d{2})?$/.exec(value);
      const hit = iso ?? (DATE_KEYS.test(name) ? compact : null);
      if (hit) {
        full = `${hit[1]}-${hit[2]}-${hit[3]}`;
        if (hit[4]) hour = hit[4];
        continue;
      }
    }
    if ((name === 'year' || name === 'yyyy') && /^\d{4}$/.test(value)) year = value;
    else if ((name === 'month' || name === 'mm') && /^\d{1,2}$/.test(value)) month = value.padStart(2, '0');
    else if ((name === 'day' || name === 'dd') && /^\d{1,2}$/.test(value)) day = value.padStart(2, '0');
    else if ((name === 'hour' || name === 'hh' || name === 'hr') && /^\d{1,2}$/.test(value))
      hour = value.padStart(2, '0');
  }
  let dayKey: string | undefined = full;
  if (!dayKey && year) dayKey = month ? (day ? `${year}-${month}-${day}` : `${year}-${month}`) : year;
  if (!dayKey) return undefined;
  return { rank: hour !== undefined && dayKey.length === 10 ? `${dayKey}T${hour}` : dayKey, day: dayKey };
}
