import { expect, it } from 'vitest';
import { systemPrompt } from '../../src/core/prompt/system-prompt.ts';

const base = { repoName: 'o/r', setup: [], test: 'npm test', protectedPaths: ['.github/workflows/**'], network: false };

it('says that a subdirectory’s instructions apply to its subtree only, when there are such files', () => {
  const nested = systemPrompt({
    ...base,
    instructionFiles: [
      { path: 'AGENTS.md', text: 'root rules' },
      { path: 'lib/AGENTS.md', text: 'lib rules' },
    ],
  });
  expect(nested).toMatch(
    /apply only to files under that directory[\s\S]*from AGENTS\.md[\s\S]*root rules[\s\S]*from lib\/AGENTS\.md[\s\S]*lib rules/,
  );
  const flat = systemPrompt({
    ...base,
    instructionFiles: [
      { path: 'AGENTS.md', text: 'root rules' },
      { path: '.github/copilot-instructions.md', text: 'x' },
    ],
  });
  expect(flat).not.toMatch(/apply only to files under/);
});
