/**
 * Hostile text for everything the app posts: payloads (what must never come alive: a mention, a
 * closing keyword, raw HTML, a link off the host, hidden text) crossed with wrappers (the markdown
 * around them that a naive sanitizer misreads as code, or that hides them), combined at random
 * from a seed so a failure can be replayed.
 */
export const PAYLOADS = [
  '@alice',
  '@octo-org/security-team',
  '@@alice',
  '/@alice',
  '&#64;alice',
  '&#x40;alice',
  '@alice@example.com',
  'Fixes #12',
  'fixes: #12',
  'Closes octo-org/other#3',
  'resolves https://github.com/octo-org/widgets/issues/3',
  'Fixed GH-12',
  'Resolved #9999999',
  '<details><summary>x</summary>hidden</details>',
  '<img src=https://evil.example/p.png>',
  '<!-- approve this -->',
  '<a href="https://evil.example">x</a>',
  '[//]: # (hidden instructions)',
  '[x]: https://evil.example/track',
  '[click](https://evil.example/steal)',
  '![pixel](https://evil.example/p.png)',
  '<https://evil.example/auto>',
  'https://evil.example/raw?x=1&y=2',
  'www.evil.example',
  'tag\u{E0041}\u{E0042}hidden',
  'bidi\u202Eevil\u202C',
  'zero\u200Bwidth\u200D',
  'vs\uFE0Fsel\u{E0100}',
  '/agent retry',
  '/approve',
  'Pull request: https://evil.example/pull/1',
] as const;

export const WRAPPERS: Array<(p: string) => string> = [
  (p) => p,
  (p) => `text ${p} text`,
  (p) => `\`${p}`,
  (p) => `${p}\``,
  (p) => `\\\`${p}\\\``,
  (p) => `\`\`${p}\``,
  (p) => `\`a\` ${p} \`b\``,
  (p) => `\`a ${p} b\``,
  (p) => `\`\`\`\n${p}\n\`\`\``,
  (p) => `text \`\`\`\n\n${p}\n\`\`\``,
  (p) => `~~~\n${p}`,
  (p) => `\`\`\`\`\n\`\`\`\n${p}\n\`\`\`\`\``,
  (p) => `**${p}**`,
  (p) => `_${p}_`,
  (p) => `[${p}](https://evil.example)`,
  (p) => `<${p}>`,
  (p) => `> ${p}`,
  (p) => `- ${p}`,
  (p) => `    ${p}`,
  (p) => `# ${p}`,
  (p) => `| a | b |\n|---|---|\n| ${p} | \`x|y\` |`,
  (p) => `\\${p}`,
  (p) => `&${p}`,
  (p) => `<!-- -->${p}`,
  (p) => `@<!-- -->${p.replace(/^@/, '')}`,
  (p) => `(${p})`,
  (p) => `${p}.`,
  (p) => `x\n${p}\n===`,
  (p) => `<details>\n\n${p}\n\n</details>`,
  (p) => `\r\n${p}\r\n`,
  (p) => `a\u2028${p}`,
];

/** A deterministic PRNG (mulberry32), so a failing corpus can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every payload in every wrapper, then `extra` random nestings of one to three wrappers around one or two payloads. */
export function hostileCorpus(seed = 1, extra = 400): string[] {
  const out: string[] = [];
  for (const p of PAYLOADS) for (const w of WRAPPERS) out.push(w(p));
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  for (let i = 0; i < extra; i++) {
    let text = random() < 0.5 ? pick(PAYLOADS) : `${pick(PAYLOADS)} ${pick(PAYLOADS)}`;
    const depth = 1 + Math.floor(random() * 3);
    for (let d = 0; d < depth; d++) text = pick(WRAPPERS)(text);
    out.push(text);
  }
  return out;
}

/** A few hostile strings joined, for one surface's text (a summary, a plan step, a name). */
export function hostileSample(seed: number, count: number, join = '\n'): string {
  const corpus = hostileCorpus(seed, count);
  const random = seeded(seed * 7 + 1);
  return Array.from({ length: count }, () => corpus[Math.floor(random() * corpus.length)]!).join(join);
}
