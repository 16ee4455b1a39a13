import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export class UntarError extends Error {
  readonly code = 'bad_tarball';
}

/**
 * Writes the regular files and folders of a gzipped npm tarball into `into` (a fresh folder),
 * its leading `package/` taken off. Nothing else is written: no links, devices or FIFOs, no path
 * with `..` or a leading `/`, no mode beyond 0755, so a tarball cannot reach out of `into`.
 */
export function untarPackage(tgz: Buffer, into: string): number {
  const tar = zlib.gunzipSync(tgz, { maxOutputLength: 1024 ** 3 });
  let longName: string | null = null;
  let files = 0;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0x30);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x' || type === 'L') {
      // A pax header's `path=` record, or GNU's long name: the next entry's name.
      longName = type === 'L' ? text(body) : (/(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? null);
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header.subarray(345, 500));
    const name = longName ?? (prefix ? `${prefix}/${text(header.subarray(0, 100))}` : text(header.subarray(0, 100)));
    longName = null;
    const rel = name.replace(/^package\//, '');
    if (!rel || rel === 'package' || rel === 'package/') continue;
    if (rel.startsWith('/') || rel.split('/').includes('..'))
      throw new UntarError(`the tarball names ${name}, outside its package`);
    const target = path.join(into, rel);
    if (type === '5') fs.mkdirSync(target, { recursive: true, mode: 0o755 });
    else if (type === '0' || type === '\0' || type === '7') {
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      // `wx`: a name the tarball repeats never writes through what an earlier entry made.
      fs.writeFileSync(target, body, { flag: 'wx', mode: octal(header.subarray(100, 108)) & 0o111 ? 0o755 : 0o644 });
      files++;
    }
    // Links, devices and FIFOs are not part of a toolchain: left out.
  }
  return files;
}

function octal(field: Buffer): number {
  const s = text(field).trim();
  return s ? Number.parseInt(s, 8) : 0;
}

function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}
