import { expect, it } from 'vitest';
import { programsOf } from '../../src/core/loop/missing-programs.ts';

it('finds the programs a command line starts, skipping builtins, paths, assignments and parts with their own PATH', () => {
  expect(programsOf('FOO=1 nox -s tests && echo ok')).toEqual(['nox']);
  expect(programsOf('cd sub && make test | tee log; ./run.sh')).toEqual(['make', 'tee']);
  expect(programsOf('PATH="$PWD/node_modules/.bin:$PATH" ava && bun test')).toEqual(['bun']);
  expect(programsOf('.venv/bin/pip install -e .')).toEqual([]);
});
