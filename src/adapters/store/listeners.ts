/** Callbacks told of changes; one failing callback is not the caller's failure, nor the others'. */
export class Listeners<A extends unknown[]> {
  readonly #fns = new Set<(...args: A) => void>();

  add(fn: (...args: A) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  tell(...args: A): void {
    for (const fn of this.#fns) {
      try {
        fn(...args);
      } catch {
        // a watcher's failure is not the writer's
      }
    }
  }
}
