import crypto from 'node:crypto';
import type http from 'node:http';

/** Who is signed in: a GitHub user (OAuth), or whoever holds the deployment's dashboard token. */
export interface Session {
  login: string;
  kind: 'github' | 'token';
  /** Sent with every state-changing request; a cross-site form cannot know it. */
  csrf: string;
  /** Unix ms. */
  expires: number;
}

const COOKIE = 'pw_session';
const LIFETIME_MS = 8 * 3600_000;

/** Signed, HttpOnly, SameSite cookies; the signature key never leaves the process (or its data dir). */
export class Sessions {
  readonly #key: Buffer;
  readonly #secure: boolean;

  constructor(key: Buffer, secure: boolean) {
    this.#key = key;
    this.#secure = secure;
  }

  #sign(value: string): string {
    return crypto.createHmac('sha256', this.#key).update(value).digest('base64url');
  }

  create(login: string, kind: Session['kind'], now = Date.now()): { session: Session; cookie: string } {
    const session: Session = {
      login,
      kind,
      csrf: crypto.randomBytes(18).toString('base64url'),
      expires: now + LIFETIME_MS,
    };
    const body = Buffer.from(JSON.stringify(session)).toString('base64url');
    return { session, cookie: this.cookie(COOKIE, `${body}.${this.#sign(body)}`, LIFETIME_MS / 1000) };
  }

  read(req: http.IncomingMessage, now = Date.now()): Session | null {
    const raw = readCookie(req, COOKIE);
    if (!raw) return null;
    const [body, sig] = raw.split('.');
    if (!body || !sig) return null;
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    try {
      const s = JSON.parse(Buffer.from(body, 'base64url').toString()) as Session;
      return s.expires > now ? s : null;
    } catch {
      return null;
    }
  }

  clear(): string {
    return this.cookie(COOKIE, '', 0);
  }

  /** A short-lived signed value (the OAuth `state`), bound to this browser by a cookie. */
  cookie(name: string, value: string, maxAgeSeconds: number): string {
    return `${name}=${value}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeSeconds)}${this.#secure ? '; Secure' : ''}`;
  }
}

export function readCookie(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export { sameToken } from '../adapters/env/same-token.ts';
