import { serve } from './serve.ts';

const USAGE = `Usage: patchwright <command>

Commands:
  serve      run the GitHub App (webhooks + workers)
`;

const commands: Record<string, (args: string[]) => Promise<number | void>> = {
  serve: () => serve(),
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
  const code = await command(args);
  return typeof code === 'number' ? code : 0;
}
