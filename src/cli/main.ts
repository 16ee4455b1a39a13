import { appServerCommand } from './app-server-command.ts';
import { dashboardCommand } from './dashboard-command.ts';
import { doctorCommand } from './doctor-command.ts';
import { evalCommand } from './eval-command.ts';
import { inspectCommand } from './inspect-command.ts';
import { runCommand } from './run-command.ts';
import { sandboxCommand } from './sandbox-command.ts';
import { serve } from './serve.ts';

const USAGE = `Usage: patchwright <command>

Commands:
  serve      [--app-server ws://HOST:PORT [--ws-token-file FILE]]: run the GitHub App (webhooks + workers);
             with --app-server, GitHub jobs are also threads a Codex client can watch
  run        [--repo DIR] (--task TEXT | --task-file FILE | --issue OWNER/REPO#N) [--model M] [--json]
             [--max-turns N] [--max-cost USD]: one task on a local checkout, on a new branch
  inspect    [DIR] [--json] [--check-title TEXT | --title-report]: what Patchwright will run in a checkout, and why
  doctor     [DIR] [--json]: run setup and the tests in the sandbox; exit 0 ready, 1 not, 2 bad input
  app-server [--listen stdio://|ws://HOST:PORT] [--ws-token-file FILE]: the Codex app-server protocol,
             for Codex clients (codex --remote ws://HOST:PORT); works in place in each thread's folder
  dashboard  [--port N]: the dashboard of the runs recorded by run and eval, on http://127.0.0.1:N/dashboard
  eval       [DIR] --from-history N [--model M ...] [--attempts K] [--json] [--issues-from FILE] [--since REV|DATE]
             [--only SHA ...] [--out FILE] [--fresh] | --resume: replay the history's own fixes (tests hidden) and
             report how often each model resolves them, how the rest fail, and what it cost
  sandbox    [--network] [--cwd DIR] [--timeout S] -- CMD ARGS...: run a command as the agent would
`;

const commands: Record<string, (args: string[]) => Promise<number | void>> = {
  serve: (args) => serve(args),
  inspect: inspectCommand,
  doctor: (args) => doctorCommand(args),
  run: (args) => runCommand(args),
  sandbox: sandboxCommand,
  'app-server': (args) => appServerCommand(args),
  dashboard: (args) => dashboardCommand(args),
  eval: (args) => evalCommand(args),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    const code = await command(args);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stderr.write(`patchwright ${name}: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    return 1;
  }
}
