import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A terminal program driven through tmux on a private server socket, as a person would at a keyboard. */
export class TmuxPane {
  readonly #socket: string;
  readonly name: string;

  constructor(
    name: string,
    command: string,
    opts: { width?: number; height?: number; env?: Record<string, string> } = {},
  ) {
    this.name = name;
    this.#socket = `pw-${name}-${process.pid}`;
    const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.#tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(opts.width ?? 120),
      '-y',
      String(opts.height ?? 40),
      ...env,
      command,
    );
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8' });
  }

  capture(): string {
    return this.#tmux('capture-pane', '-p', '-t', this.name);
  }

  type(text: string): void {
    this.#tmux('send-keys', '-t', this.name, '-l', text);
  }

  key(...keys: string[]): void {
    this.#tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Waits until the screen shows `pattern`; the error carries the screen as it was. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < end) {
      screen = this.capture();
      if (pattern.test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the screen never showed ${pattern} within ${timeoutMs} ms; it shows:\n${screen}`);
  }

  /** Keeps what the screen shows as a test artifact (a text "screenshot"). */
  save(file: string): string {
    const text = this.capture();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return text;
  }

  kill(): void {
    try {
      this.#tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
