import { formatBytes } from '../format-numbers.js';
import type { Part } from '../model/part.js';

type FilePart = Extract<Part, { type: 'file' }>;

/** Image types a page may show inline (SVG is left out: it can hold scripts and links). */
const SHOWN_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/** What a file part holds, for a reader: its kind, type, name and size. */
export interface Attachment {
  kind: 'image' | 'pdf' | 'file';
  /** The MIME type, as the part gives it. */
  mime: string;
  /** Its file name, or (for a file: or web address) the address; undefined for unnamed inline data. */
  name?: string;
  /** Bytes of inline data (a data: URL), worked out from its length. */
  bytes?: number;
  /** True when the bytes are in the part (a data: URL in base64) and of a type a page may show. */
  inline: boolean;
}

/** The bytes a base64 data: URL holds, without decoding it; undefined for any other URL. */
export function dataUrlBytes(url: string): number | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const head = url.slice(5, comma);
  const length = url.length - comma - 1;
  if (!head.endsWith(';base64')) return length;
  const pad = url.endsWith('==') ? 2 : url.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((length * 3) / 4) - pad);
}

/** A file part as a reader sees it. */
export function attachmentOf(p: FilePart): Attachment {
  const mime = (p.mime || 'application/octet-stream').toLowerCase();
  const bytes = dataUrlBytes(p.url);
  const base64 = p.url.startsWith('data:') && p.url.slice(0, p.url.indexOf(',')).endsWith(';base64');
  const kind = mime.startsWith('image/') ? 'image' : mime === 'application/pdf' ? 'pdf' : 'file';
  const name = p.filename ?? (p.url.startsWith('data:') ? undefined : p.url);
  return { kind, mime, name, bytes, inline: base64 && (kind === 'pdf' || SHOWN_IMAGES.has(mime)) };
}

/** One line for a terminal or a plain-text reader: "[image: image/png, 120 KB]", "[file: notes.txt, text/plain]". */
export function attachmentLine(a: Attachment): string {
  const facts = [a.name, a.mime, a.bytes !== undefined ? formatBytes(a.bytes) : undefined].filter(Boolean);
  return `[${a.kind}: ${facts.join(', ')}]`;
}
