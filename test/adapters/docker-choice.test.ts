import { expect, it } from 'vitest';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { dockerChoice } from '../../src/github/job/job-sandbox.ts';

it("a repository picks its docker image only from the deployment's approved list", () => {
  const settings = readSettings({
    PATCHWRIGHT_SANDBOX_IMAGE: 'node:24-bookworm',
    PATCHWRIGHT_SANDBOX_IMAGES: 'python:3.12-bookworm, ghcr.io/org/builder:1',
    PATCHWRIGHT_DOCKER_CLI: 'podman',
    PATCHWRIGHT_DOCKER_RUNTIME: 'runc',
  });
  expect(dockerChoice(settings, 'python:3.12-bookworm')).toEqual({
    dockerImage: 'python:3.12-bookworm',
    dockerCli: 'podman',
    dockerRuntime: 'runc',
  });
  expect(dockerChoice(settings, 'evil/image:latest').dockerImage).toBe('node:24-bookworm');
  expect(dockerChoice(settings, undefined).dockerImage).toBe('node:24-bookworm');
  expect(() => readSettings({ PATCHWRIGHT_DOCKER_CLI: 'docker; rm -rf /' })).toThrow(/PATCHWRIGHT_DOCKER_CLI/);
});
