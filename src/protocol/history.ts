/** One entry of a repository's history, as the git adapter reads it and the conventions detector weighs it. */
export interface Subject {
  subject: string;
  bot: boolean;
  /**
   * A pull request's title read from its merge commit (`Merge pull request #N ...`, the title in
   * the body), written `Title (#N)` like a squash-merged one: a PR title, not a commit subject.
   */
  merged?: boolean;
}
