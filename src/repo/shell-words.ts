/**
 * Just enough of the shell's word splitting to reason about a command line from a CI file: words
 * keep their quotes (so they can be joined back unchanged), and the split stops being trusted at
 * operators, which callers handle themselves.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  let depth = 0; // inside $( ... ) or ${ ... }
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      word += ch;
      if (ch === '\\' && quote === '"') word += line[++i] ?? '';
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      word += ch;
    } else if (ch === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) {
      depth++;
      word += ch + line[++i]!;
    } else if (depth > 0 && (ch === ')' || ch === '}')) {
      depth--;
      word += ch;
    } else if (depth === 0 && /\s/.test(ch)) {
      if (word) words.push(word);
      word = '';
    } else word += ch;
  }
  if (word) words.push(word);
  return words;
}

/** A word made only of a variable or a CI expression (`$X`, `"${X}"`, `${{ matrix.x }}`): unknown until run. */
export function isUnknownValue(word: string): boolean {
  const bare = word.replace(/^(['"])(.*)\1$/, '$2');
  return /^\$(\w+|\{[^}]*\}|\{\{.*\}\})$/.test(bare);
}

/** `A=1 B=2 cmd ...`: the leading environment assignments, and the rest. */
export function splitEnvPrefix(words: string[]): { env: string[]; rest: string[] } {
  let i = 0;
  while (i < words.length && /^[A-Za-z_]\w*=/.test(words[i]!)) i++;
  return { env: words.slice(0, i), rest: words.slice(i) };
}
