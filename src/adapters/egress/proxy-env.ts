/** Where the Maven settings naming the proxy are mounted inside a sandbox. */
export const INSIDE_MAVEN_SETTINGS = '/run/patchwright-egress/maven-settings.xml';

/**
 * What package managers read to use the bridge as their proxy, for a command whose environment is
 * `env`: the usual variables in both cases (curl reads only the lower-case http_proxy), npm's,
 * yarn's and cargo's own, Java's system properties for Gradle, a settings file for Maven (which
 * honours no variable). NO_PROXY is empty: a tool that skipped the proxy would find no route.
 * Values already set (a deployment's own proxy, passed through) are replaced: inside the
 * namespace only the bridge leads anywhere.
 */
export function proxyEnv(port: number, env: Record<string, string>): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  const java = `-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=${port} -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=${port} -Dhttp.nonProxyHosts=`;
  const add = (name: string) => (env[name] ? `${env[name]} ${java}` : java);
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    ALL_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    all_proxy: url,
    NO_PROXY: '',
    no_proxy: '',
    npm_config_proxy: url,
    npm_config_https_proxy: url,
    npm_config_noproxy: '',
    YARN_HTTP_PROXY: url,
    YARN_HTTPS_PROXY: url,
    CARGO_HTTP_PROXY: url,
    GRADLE_OPTS: add('GRADLE_OPTS'),
    MAVEN_OPTS: add('MAVEN_OPTS'),
    // Maven 3.9 appends MAVEN_ARGS to every mvn command line (mvnw included).
    MAVEN_ARGS: `${env.MAVEN_ARGS ? `${env.MAVEN_ARGS} ` : ''}--global-settings ${INSIDE_MAVEN_SETTINGS}`,
  };
}

/**
 * Removes from `env` every variable that differs from one of `vars` only in case (npm reads
 * `NPM_CONFIG_PROXY` as it reads `npm_config_proxy`): a deployment's own proxy, passed through,
 * must not compete with the bridge.
 */
export function dropCaseVariants(env: Record<string, string>, vars: Record<string, string>): void {
  const lower = new Set(Object.keys(vars).map((k) => k.toLowerCase()));
  // A name we set ourselves is replaced anyway; another spelling of one is removed.
  for (const k of Object.keys(env)) if (!(k in vars) && lower.has(k.toLowerCase())) delete env[k];
}

export function mavenSettingsXml(port: number): string {
  const proxy = (protocol: string) =>
    `    <proxy><id>patchwright-egress-${protocol}</id><active>true</active><protocol>${protocol}</protocol><host>127.0.0.1</host><port>${port}</port></proxy>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!-- Patchwright's egress proxy: inside the sandbox every connection goes through it. -->\n<settings>\n  <proxies>\n${proxy('http')}\n${proxy('https')}\n  </proxies>\n</settings>\n`;
}
