// Number formatting for evidence sentences. Hand-rolled rather than Intl so the output is the same on
// every Node build (small-ICU builds and locales change separators) and tests can assert exact text.

/** Thousands separators, no decimals unless asked: 4812 → "4,812", 1234.5 (1) → "1,234.5". */
export function formatInt(n: number, decimals = 0): string {
  if (!Number.isFinite(n)) return String(n);
  const negative = n < 0;
  const fixed = Math.abs(n).toFixed(decimals);
  const [whole = '0', frac] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = frac === undefined ? grouped : `${grouped}.${frac}`;
  // "-0" is noise in a report
  return negative && Number(fixed) !== 0 ? `-${text}` : text;
}

/** A number with at most `decimals` decimals, trailing zeros dropped: 20.1, 3, 1.25. */
export function formatNumber(n: number, decimals = 1): string {
  if (!Number.isFinite(n)) return String(n);
  const text = formatInt(n, decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Binary units (1 KB = 1,024 B) because the runbook's small-file threshold is 32 MiB:
 * 215040 → "210 KB", 33554432 → "32 MB", 1536 → "1.5 KB". One decimal under 10 units.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Rounding can carry into the next unit (1023.7 KB → "1,024 KB"); bump it instead.
  if (unit < BYTE_UNITS.length - 1 && Math.round(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  const decimals = unit === 0 ? 0 : value < 10 ? 1 : 0;
  return `${sign}${formatNumber(value, decimals)} ${BYTE_UNITS[unit]}`;
}

/** 45 → "45s", 1260 → "21m 00s", 3725 → "1h 02m", 90061 → "25h 01m". Seconds are rounded. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  const total = Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (x: number): string => String(x).padStart(2, '0');
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  if (m > 0) return `${sign}${m}m ${pad(s)}s`;
  return `${sign}${s}s`;
}

/** A percentage value (already ×100): 45.23 → "45.2%". */
export function formatPct(pct: number, decimals = 1): string {
  return `${formatNumber(pct, decimals)}%`;
}

/** A signed percentage change: 45.2 → "+45.2%", -3 → "-3%". */
export function formatPctChange(pct: number, decimals = 1): string {
  const text = formatPct(pct, decimals);
  return pct > 0 && text !== '0%' ? `+${text}` : text;
}

/** A share in [0, 1] as a percentage: 0.873 → "87.3%". */
export function formatShare(share: number, decimals = 1): string {
  return formatPct(share * 100, decimals);
}

/** A ratio: 20.06 → "20.1×". */
export function formatRatio(ratio: number, decimals = 1): string {
  return `${formatNumber(ratio, decimals)}×`;
}

/** US dollars with cents: 1234.5 → "$1,234.50"; sub-cent amounts keep 4 decimals so they do not read as $0.00. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return String(usd);
  const abs = Math.abs(usd);
  const decimals = abs > 0 && abs < 0.01 ? 4 : 2;
  const text = formatInt(abs, decimals);
  return usd < 0 && Number(abs.toFixed(decimals)) !== 0 ? `-$${text}` : `$${text}`;
}

/** Unit-hours with two decimals: (1.234, 'DPU') → "1.23 DPU-h", (8, 'vCore') → "8.00 vCore-h". */
export function formatUnitHours(unitHours: number, unit: string): string {
  return `${formatInt(unitHours, 2)} ${unit}-h`;
}

/** "1 run", "3 runs". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatInt(count)} ${count === 1 ? singular : pluralForm}`;
}

/** The UTC calendar day of an instant: 1764547200000 → "2025-12-01". */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * An instant in domain texts and exports (findings, post-mortem, timeline file): ISO 8601 with
 * its zone, "2026-11-24T13:05:00Z". Slack messages show such instants as date tokens, in each
 * reader's zone (`slackDatesIn`, src/slack/mrkdwn.ts).
 */
export function formatIso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A verdict as people read it: INSUFFICIENT_HISTORY → "INSUFFICIENT HISTORY". */
export function verdictLabel(verdict: string): string {
  return verdict.replace(/_/g, ' ');
}

/**
 * A verdict and its summary on one line, the verdict said once: summaries already start with it
 * ("DEGRADED: each of the last 3 runs…"), so "DEGRADED — DEGRADED: …" becomes "DEGRADED: …".
 */
export function verdictText(verdict: string, summary: string): string {
  const label = verdictLabel(verdict);
  const s = summary.trim();
  if (!s) return label;
  const upper = s.toUpperCase();
  if (upper.startsWith(`${label}:`) || upper.startsWith(`${verdict}:`)) return s;
  return `${label}: ${s}`;
}
