/**
 * Model-written text posted by the app must not ping people or teams: an `@name` outside code
 * becomes inline code (`@name`), which GitHub shows but does not notify. Code blocks, inline code
 * and e-mail addresses are left as they are.
 */
export function quietMentions(text: string): string {
  return text
    .split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/(^|[^\w`@/.])@([A-Za-z0-9](?:[\w-]*[A-Za-z0-9])?(?:\/[\w.-]+)?)/g, '$1`@$2`')))
    .join('');
}
