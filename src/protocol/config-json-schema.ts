import { z } from 'zod';
import { RepoConfig } from './repo-config.ts';

export const SCHEMA_PATH = 'schema/agent-config.schema.json';

/** The JSON Schema of `.github/agent.yml`, generated from the zod schema (for editors). */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(RepoConfig, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: '.github/agent.yml' }, null, 2)}\n`;
}
