// Uploading a file into a thread *before* the messages that follow it. files.uploadV2 returns
// once the upload is complete, but Slack shares the file into the channel asynchronously: messages
// posted right after can land above it (the triage thread's chart under its run list). This waits,
// bounded, until the file's share shows in files.info (or already in the upload's answer), so the
// next message comes after it. Best effort: on a timeout or an error the caller carries on.
import type { WebClient } from '@slack/web-api';

type FilesUploadV2Arguments = Parameters<WebClient['files']['uploadV2']>[0];

interface FileJson {
  id?: string;
  shares?: { public?: Record<string, unknown[]>; private?: Record<string, unknown[]> };
}

function sharedIn(f: FileJson | undefined, channel: string): boolean {
  return Boolean(f?.shares?.public?.[channel]?.length || f?.shares?.private?.[channel]?.length);
}

/** The files of an uploadV2 answer (one completeUploadExternal answer per file). */
function filesOf(res: unknown): FileJson[] {
  const out: FileJson[] = [];
  for (const c of ((res as { files?: unknown[] }).files ?? []) as { files?: FileJson[] }[])
    for (const f of c.files ?? []) out.push(f);
  return out;
}

export async function uploadBeforeNext(
  slack: WebClient,
  args: FilesUploadV2Arguments & { channel_id: string },
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const res = await slack.files.uploadV2(args);
  const channel = args.channel_id;
  const pending = filesOf(res).filter((f) => f.id && !sharedIn(f, channel));
  const deadline = Date.now() + (opts.timeoutMs ?? 6000);
  for (const f of pending) {
    while (Date.now() < deadline) {
      const info = (await slack.files.info({ file: f.id! }).catch(() => undefined)) as
        { file?: FileJson } | undefined;
      if (!info || sharedIn(info.file, channel)) break;
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 500));
    }
  }
}
