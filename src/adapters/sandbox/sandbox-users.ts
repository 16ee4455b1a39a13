/**
 * Which host user a job's sandboxed commands run as when the app runs as root (see
 * sandbox-owner.ts). The kernel counts processes per user, so jobs that share a user share its
 * process limit: one job's fork bomb would keep another's commands from starting. Each running
 * job therefore gets a user of its own from a range (`PATCHWRIGHT_SANDBOX_UID` and the next
 * `count - 1`), except that jobs of one repository share one: they share its caches, which
 * belong to one user at a time.
 */
export interface SandboxUserLease {
  uid: number;
  release(): void;
}

export class SandboxUsers {
  readonly #first: number;
  readonly #count: number;
  /** The users in use: by which key, by how many leases. */
  readonly #inUse = new Map<number, { key: string; leases: number }>();
  /** The user a key had last, so its caches need not change hands again. */
  readonly #last = new Map<string, number>();
  #next = 0;

  constructor(first: number, count: number) {
    if (!Number.isInteger(first) || first < 1 || !Number.isInteger(count) || count < 1)
      throw new Error(`sandbox users: a range of at least one user is needed (got ${first}, ${count})`);
    this.#first = first;
    this.#count = count;
  }

  /**
   * A user for a job of `key` (a repository): the one its running jobs have; else the one it had
   * last, or `prefer` (the owner of its caches), if free; else a free one. With every user taken
   * (more jobs than the range, e.g. a job run beside the pool), users are shared in turn rather
   * than the job waiting.
   */
  lease(key: string, prefer?: number): SandboxUserLease {
    const uid = this.#pick(key, prefer);
    const entry = this.#inUse.get(uid);
    if (entry) entry.leases++;
    else this.#inUse.set(uid, { key, leases: 1 });
    this.#last.set(key, uid);
    let released = false;
    return {
      uid,
      release: () => {
        if (released) return;
        released = true;
        const e = this.#inUse.get(uid);
        if (e && --e.leases === 0) this.#inUse.delete(uid);
      },
    };
  }

  #pick(key: string, prefer: number | undefined): number {
    for (const [uid, e] of this.#inUse) if (e.key === key) return uid;
    const free = (uid: number | undefined): uid is number =>
      uid !== undefined && this.#inRange(uid) && !this.#inUse.has(uid);
    const last = this.#last.get(key);
    if (free(last)) return last;
    if (free(prefer)) return prefer;
    for (let i = 0; i < this.#count; i++) {
      const uid = this.#first + ((this.#next + i) % this.#count);
      if (free(uid)) {
        this.#next = (uid - this.#first + 1) % this.#count;
        return uid;
      }
    }
    const uid = this.#first + (this.#next % this.#count);
    this.#next = (this.#next + 1) % this.#count;
    return uid;
  }

  #inRange(uid: number): boolean {
    return uid >= this.#first && uid < this.#first + this.#count;
  }
}
