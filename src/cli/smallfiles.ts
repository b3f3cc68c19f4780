// `medic smallfiles <uri>`: the /smallfiles scan from a terminal, as text or JSON.
import type { AppConfig } from '../config/index.js';
import type { Providers } from '../providers/ports.js';
import { ProviderError } from '../providers/ports.js';
import { ObjectUriError } from '../providers/object-uri.js';
import { runSmallFilesScan, type SmallFilesRequest } from '../../jobs/smallfiles-core.js';
import { formatBytes, formatInt, formatShare } from '../domain/format.js';

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function runSmallFilesCli(
  ctx: { config: AppConfig; providers: Providers; json: boolean; io: Io },
  req: SmallFilesRequest,
): Promise<number> {
  const { io } = ctx;
  try {
    const result = await runSmallFilesScan({ config: ctx.config, providers: ctx.providers }, req, {
      onProgress: (p) => {
        if (!ctx.json) io.err.write(`\r… ${formatInt(p.objects)} objects, ${formatInt(p.requests)} requests`);
      },
    });
    if (!ctx.json) io.err.write('\n');
    if (ctx.json) {
      io.out.write(JSON.stringify(result, null, 2) + '\n');
      return 0;
    }
    const s = result.scan.summary;
    const lines = [
      `${result.location}`,
      `  files         ${formatInt(s.files)} (${formatBytes(s.bytes)}), avg ${formatBytes(s.files ? s.bytes / s.files : 0)}`,
      `  small files   ${formatInt(s.smallFiles)} under ${formatBytes(s.thresholdBytes)} (${formatShare(s.files ? s.smallFiles / s.files : 0)} of files, ${formatBytes(s.smallBytes)})`,
      `  zero-byte     ${formatInt(s.zeroByteFiles)}; leftovers ${formatInt(s.leftovers.objects)}`,
      `  partitions    ${formatInt(s.partitionsSeen)}`,
      `  source        ${result.scan.source}, ${(result.scan.durationMs / 1000).toFixed(1)} s, ${result.cost.sentence}`,
    ];
    if (result.scan.slowed)
      lines.push(`  slowed        ${formatInt(result.scan.throttledRequests)} throttled requests retried`);
    const sentences = [...(result.trend?.sentences ?? []), ...(result.compare?.comparison.sentences ?? [])];
    if (sentences.length) lines.push('', 'Against the baseline:', ...sentences.map((x) => `  - ${x}`));
    lines.push(
      '',
      result.recommendation.reason,
      ...result.recommendation.partitions.map((p) => `  - ${p.sentence}`),
    );
    io.out.write(lines.join('\n') + '\n');
    return 0;
  } catch (err) {
    if (err instanceof ProviderError || err instanceof ObjectUriError) {
      io.err.write(`\nmedic smallfiles: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
