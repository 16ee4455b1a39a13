import os from 'node:os';
import type { ApprovalPolicy, SandboxPolicy } from './codex-shapes.ts';
import { MODEL_PROVIDER } from './codex-shapes.ts';

/**
 * Honest answers to what a Codex client asks before it works: no account (the model is the
 * deployment's), one model (the configured one), no hooks, skills or plugins, and the trust a
 * person gave each folder.
 */
export interface ServerFacts {
  version: string;
  model: string;
  dataDir: string;
  /** Folders a person said they trust ("Trust this folder?"), kept in the data dir. */
  trusted: (cwd: string) => boolean;
  setTrust: (cwd: string, trusted: boolean) => void;
  /** Where trust decisions are kept. */
  trustFile: string;
  defaultApproval: ApprovalPolicy;
  defaultSandbox: SandboxPolicy;
}

export function initializeResult(
  facts: ServerFacts,
  clientName: string,
  clientVersion: string,
): Record<string, unknown> {
  return {
    // As Codex builds it: the client's own name and version first (the TUI compares that version
    // with its own and warns of an "older background service" otherwise); the server after it.
    userAgent: `${clientName}/${clientVersion} (Patchwright ${facts.version}; ${os.platform()}; ${os.arch()})`,
    codexHome: facts.dataDir,
    platformFamily: process.platform === 'win32' ? 'windows' : 'unix',
    platformOs: process.platform === 'darwin' ? 'macos' : process.platform,
  };
}

export const accountResult = { account: null, userId: null, requiresOpenaiAuth: false, workspaceRouting: null };

export function modelListResult(facts: ServerFacts): Record<string, unknown> {
  return {
    data: [
      {
        id: facts.model,
        model: facts.model,
        displayName: facts.model,
        description: 'The model this Patchwright deployment is configured with (PATCHWRIGHT_MODEL).',
        hidden: false,
        isDefault: true,
        defaultReasoningEffort: 'medium',
        supportedReasoningEfforts: [
          { reasoningEffort: 'medium', description: 'As the deployment configures it (PATCHWRIGHT_REASONING_EFFORT)' },
        ],
        inputModalities: ['text'],
        supportsPersonality: false,
      },
    ],
    nextCursor: null,
  };
}

export function configReadResult(facts: ServerFacts, cwd: string | null, layers: boolean): Record<string, unknown> {
  const projects = cwd && facts.trusted(cwd) ? { [cwd]: { trust_level: 'trusted' } } : null;
  const config = {
    model: facts.model,
    model_provider: MODEL_PROVIDER,
    approval_policy: facts.defaultApproval,
    sandbox_mode: facts.defaultSandbox.type === 'readOnly' ? 'read-only' : 'workspace-write',
    projects,
  };
  const file = facts.trustFile;
  return {
    config,
    origins: {},
    ...(layers
      ? {
          layers: [
            {
              name: { type: 'user', file, profile: null },
              version: 'patchwright',
              config: projects ? { projects } : {},
            },
          ],
        }
      : {}),
  };
}

export const configRequirementsResult = { requirements: null, supportsIndependentSpeedModes: false };

export const collaborationModesResult = {
  data: [{ name: 'Default', mode: 'default', model: null, reasoning_effort: null }],
};

export const govCloudResult = { isGovCloud: false, shouldWarn: false };

export function perCwd(
  cwds: unknown,
  fill: (cwd: string) => Record<string, unknown>,
): { data: Array<Record<string, unknown>> } {
  const list = Array.isArray(cwds) ? cwds.filter((c): c is string => typeof c === 'string') : [];
  return { data: list.map((cwd) => ({ cwd, ...fill(cwd) })) };
}
