/**
 * Credentials for one git command, passed in the environment (GIT_CONFIG_*), so they are in
 * no argv (visible in `ps`), no `.git/config`, no remote URL. The header is scoped to the
 * repository's own URL, not its host: a submodule a model wrote into `.gitmodules` that names
 * another repository of the installation (a private one) never receives the token.
 */
export function gitAuthEnv(cloneUrl: string, token: string | undefined): Record<string, string> {
  if (!token) return {};
  const url = new URL(cloneUrl);
  const scope = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${scope}.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/** Removes a token (and its base64 forms) from text that may reach a log or a user. */
export function redact(text: string, token: string | undefined): string {
  if (!token) return text;
  const forms = [token, Buffer.from(`x-access-token:${token}`).toString('base64'), encodeURIComponent(token)];
  let out = text;
  for (const f of forms) out = out.split(f).join('***');
  return out;
}
