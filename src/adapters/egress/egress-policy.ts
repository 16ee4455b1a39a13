import { parseAllowList, parseEntry, type AllowEntry } from './allow-list.ts';
import type { AppListeners } from './check-destination.ts';
import { EgressFirewall } from './egress-firewall.ts';
import { DEFAULT_EGRESS_ALLOW } from './presets.ts';

/** The deployment's part of the firewall, read once from the environment (see read-settings.ts). */
export interface EgressSettings {
  /** `PATCHWRIGHT_EGRESS_ALLOW`, parsed; the registries' presets when unset. */
  allow: AllowEntry[];
  app: AppListeners;
}

/**
 * The app's listeners that are not sockets of this process: the webhook port another process of
 * the deployment serves (`PORT`, 3000 by default) and Redis (`PATCHWRIGHT_REDIS_URL`). The
 * process's own listeners are read from the kernel at each check (host-addresses.ts).
 */
export function appListenersFrom(env: NodeJS.ProcessEnv): AppListeners {
  const port = Number(env.PORT ?? 3000);
  let redis: AppListeners['redis'] = null;
  if (env.PATCHWRIGHT_REDIS_URL) {
    try {
      const u = new URL(env.PATCHWRIGHT_REDIS_URL);
      redis = { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port ? Number(u.port) : 6379 };
    } catch {
      // read-settings refuses a malformed URL with its own message
    }
  }
  return { ports: Number.isInteger(port) && port > 0 ? [port] : [], redis };
}

export function egressSettingsFrom(env: NodeJS.ProcessEnv): EgressSettings {
  return { allow: parseAllowList(env.PATCHWRIGHT_EGRESS_ALLOW || DEFAULT_EGRESS_ALLOW), app: appListenersFrom(env) };
}

/**
 * The firewall of one sandbox: the deployment's list, narrowed by the repository's
 * `sandbox.egress` when it has one. An entry there that does not parse is dropped, which can only
 * narrow the list further (the schema already refuses most such entries).
 */
export function egressFirewall(settings: EgressSettings, repository?: string[]): EgressFirewall {
  let narrowed: AllowEntry[] | null = null;
  if (repository) {
    narrowed = repository.flatMap((e) => {
      try {
        return parseEntry(e);
      } catch {
        return [];
      }
    });
  }
  return new EgressFirewall({ allow: { deployment: settings.allow, repository: narrowed }, app: settings.app });
}

/** For a sandbox made without one: the registries' presets and the app's listeners from this process's environment. */
export function defaultFirewall(): EgressFirewall {
  return egressFirewall(egressSettingsFrom(process.env));
}
