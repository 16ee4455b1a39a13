import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
const CODEX = path.resolve(import.meta.dirname, '../../node_modules/.bin/codex');

/** Responses whose schema is not `<Params name>` with Params → Response. */
const RESPONSE_NAMES: Record<string, string> = {
  'configRequirements/read': 'ConfigRequirementsReadResponse',
  'config/batchWrite': 'ConfigWriteResponse',
  'config/value/write': 'ConfigWriteResponse',
};

export interface CodexSchema {
  /** Problems of one message the server sent; `method` is the request it answers, for a response. */
  check(msg: Record<string, unknown>, method?: string): string[];
}

/**
 * The JSON Schema of the pinned Codex app-server protocol, generated here by the real Codex CLI
 * (`codex app-server generate-json-schema --experimental`), never copied by hand.
 */
export function codexSchema(): CodexSchema {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-schema-'));
  execFileSync(CODEX, ['app-server', 'generate-json-schema', '--experimental', '--out', dir], { stdio: 'ignore' });
  const read = (rel: string) => JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const bundle = read('codex_app_server_protocol.v2.schemas.json');
  ajv.addSchema({ ...bundle, $id: 'v2' });
  const clientRequests = read('ClientRequest.json') as {
    oneOf: Array<{ properties: { method: { enum: string[] }; params?: { $ref?: string } } }>;
  };
  const responseName = new Map<string, string>();
  for (const o of clientRequests.oneOf) {
    const m = o.properties.method.enum[0]!;
    const ref = o.properties.params?.$ref?.split('/').at(-1);
    responseName.set(m, RESPONSE_NAMES[m] ?? ref?.replace(/Params$/, 'Response') ?? '');
  }
  const notification = ajv.compile(read('ServerNotification.json'));
  const serverRequest = ajv.compile(read('ServerRequest.json'));
  const error = ajv.compile(read('JSONRPCError.json'));
  const initialize = ajv.compile(read('v1/InitializeResponse.json'));
  const byName = new Map<string, ReturnType<typeof ajv.compile>>();
  const responseValidator = (method: string) => {
    if (method === 'initialize') return initialize;
    const name = responseName.get(method);
    if (!name) return null;
    let v = byName.get(name);
    if (!v) byName.set(name, (v = ajv.compile({ $ref: `v2#/definitions/${name}` })));
    return v;
  };
  fs.rmSync(dir, { recursive: true, force: true });
  const problems = (v: { errors?: unknown }) => [JSON.stringify(v.errors).slice(0, 2000)];
  return {
    check(msg, method) {
      const name = String((msg as { method?: unknown }).method);
      if ('error' in msg) return error(msg) ? [] : problems(error);
      if ('result' in msg) {
        if (!method) return ['a response to an unknown request'];
        const v = responseValidator(method);
        if (!v) return [`no response schema for ${method}`];
        return v(msg.result) ? [] : [`${method}: ${problems(v)}`];
      }
      if ('id' in msg) return serverRequest(msg) ? [] : [`${name}: ${problems(serverRequest)}`];
      // The schema's notifications are a oneOf on the method; report only that method's branch.
      return notification(msg)
        ? []
        : [
            `${name}: ${JSON.stringify((notification.errors ?? []).filter((e: ErrorObject) => JSON.stringify(e).includes(name) || e.instancePath.startsWith('/params'))).slice(0, 1500)}`,
          ];
    },
  };
}
