import { expect, it } from 'vitest';
import { quietMentions } from '../../src/github/publish/quiet-mentions.ts';

it.each([
  ['Thanks @alice, fixed.', 'Thanks `@alice`, fixed.'],
  ['cc @octo-org/security please', 'cc `@octo-org/security` please'],
  ['@bob: done', '`@bob`: done'],
  ['mail dev@example.com or see `@types/node`', 'mail dev@example.com or see `@types/node`'],
  ['```\nimport x from "@scope/pkg";\n@decorator\n```\nthen @carol', '```\nimport x from "@scope/pkg";\n@decorator\n```\nthen `@carol`'],
  ['already `@dave` quiet', 'already `@dave` quiet'],
])('%s', (input, output) => {
  expect(quietMentions(input)).toBe(output);
});
