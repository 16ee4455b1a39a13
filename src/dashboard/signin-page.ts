import { html, type Html } from './html.ts';

export function signinPage(token: boolean, oauth: boolean, error?: string): Html {
  return html`<div class="signin"><h1>Sign in</h1>
    ${error ? html`<p class="notice" role="alert">${error}</p>` : ''}
    ${oauth ? html`<p><a class="button" href="/dashboard/oauth/start">Sign in with GitHub</a></p><p class="muted">You see the runs of repositories where you have the permission this deployment asks for.</p>` : ''}
    ${token ? html`<form method="post" action="/dashboard/signin"><label for="token">Dashboard token</label><input id="token" name="token" type="password" autocomplete="current-password" required><button type="submit">Sign in with the token</button></form>` : ''}
  </div>`;
}
