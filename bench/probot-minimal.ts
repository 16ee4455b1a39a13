// The baseline for the acknowledgement benchmark: a minimal Probot app that makes the same five
// GitHub calls per labelled issue as Patchwright's acknowledgement (config, permission, 👀, the
// marker search, the comment), awaited in the handler as Probot apps usually do, with no store.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot } from 'probot';
import { SECRET, TestOctokit } from '../test/support/app-harness.ts';

const [baseUrl, pem] = [process.argv[2], process.env.BENCH_PRIVATE_KEY];
const probot = new Probot({
  appId: 1,
  privateKey: pem!,
  secret: SECRET,
  baseUrl,
  logLevel: 'fatal',
  Octokit: TestOctokit,
});
const app = (p: Probot) => {
  p.on('issues.labeled', async (context) => {
    const { owner, repo } = context.repo();
    const issue_number = context.payload.issue.number;
    const o = context.octokit;
    await Promise.all([
      o
        .request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path: '.github/agent.yml' })
        .catch(() => null),
      o.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
        owner,
        repo,
        username: context.payload.sender.login,
      }),
    ]);
    await o.request('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions', {
      owner,
      repo,
      issue_number,
      content: 'eyes',
    });
    await o.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo, issue_number });
    await o.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner,
      repo,
      issue_number,
      body: 'queued',
    });
  });
};
const middleware = await createNodeMiddleware(app, { probot });
const server = http.createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
process.on('SIGTERM', () => process.exit(0));
