/** How this repository titles its changes: told to the model, checked and repaired by the harness. */
export interface TitleBrief {
  /** What is being named: a new pull request, or one more commit on an existing one. */
  what: 'pull request title' | 'commit subject';
  /** The style in words, with recent examples (examples are fenced as data by the engine). */
  guidance: string;
  examples: string[];
  /** Why a title does not fit, or null when it does. */
  problem(title: string): string | null;
  /** A fitting title built without the model, from its last attempt (or null), the task and the files changed. */
  repair(attempt: string | null, changedFiles: string[]): string;
}
