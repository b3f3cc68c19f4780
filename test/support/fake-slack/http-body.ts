// Request bodies as the Slack SDKs send them: form-urlencoded (WebClient's default, nested values
// JSON-stringified), JSON, or multipart/form-data (WebClient for Buffers, e.g. the upload POST).
import type { IncomingMessage } from 'node:http';

export async function readBody(req: IncomingMessage, limit = 50 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new Error(`body over ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** A minimal multipart/form-data parser (enough for fetch's FormData encoding). */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    // `--` right after the delimiter ends the body.
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    // Part = CRLF headers CRLF CRLF data CRLF
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      const partType = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
      parts.push({ name, filename, contentType: partType, data: Buffer.from(data) });
    }
    pos = next;
  }
  return parts;
}

/** Fields WebClient JSON-stringifies in form bodies; parsed back so tests assert on values. */
const JSON_FIELDS = new Set([
  'blocks',
  'attachments',
  'metadata',
  'view',
  'files',
  'file_uploads',
  'unfurls',
  'user_auth_blocks',
]);

export interface ParsedArgs {
  args: Record<string, unknown>;
  /** Parts of a multipart body that carried a file. */
  fileParts: MultipartPart[];
}

/** Arguments of a Web API call from the query string and the body, whatever its encoding. */
export function parseArgs(body: Buffer, contentType: string | undefined, search: string): ParsedArgs {
  const args: Record<string, unknown> = {};
  const fileParts: MultipartPart[] = [];
  for (const [k, v] of new URLSearchParams(search)) args[k] = v;
  const type = (contentType ?? '').toLowerCase();
  if (body.length > 0) {
    if (type.startsWith('application/json')) {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(args, parsed);
    } else if (type.startsWith('multipart/form-data')) {
      for (const part of parseMultipart(body, contentType ?? '')) {
        if (part.filename !== undefined) fileParts.push(part);
        else args[part.name] = part.data.toString('utf8');
      }
    } else {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) args[k] = v;
    }
  }
  for (const key of Object.keys(args)) {
    const v = args[key];
    if (JSON_FIELDS.has(key) && typeof v === 'string' && /^\s*[[{]/.test(v)) {
      try {
        args[key] = JSON.parse(v) as unknown;
      } catch {
        // Slack would answer invalid_arguments / invalid_blocks_format; the handler decides.
      }
    }
  }
  return { args, fileParts };
}
