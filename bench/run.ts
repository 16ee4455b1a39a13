import os from 'node:os';
import { benchAck } from './ack.ts';
import { benchAppServer } from './app-server.ts';
import { benchDashboard } from './dashboard.ts';
import { benchHarness } from './harness.ts';
import { benchSandbox } from './sandbox.ts';
import { benchScaleOut } from './scale-out.ts';
import { benchToolchain } from './toolchain.ts';
import { benchWorkspace } from './workspace.ts';
import { benchVerify } from './verify.ts';
import type { Figure } from './stats.ts';

const suites: Record<string, () => Promise<Figure[]>> = {
  ack: benchAck,
  'app-server': benchAppServer,
  dashboard: benchDashboard,
  harness: benchHarness,
  sandbox: benchSandbox,
  'scale-out': benchScaleOut,
  toolchain: benchToolchain,
  workspace: benchWorkspace,
  verify: benchVerify,
};

const only = process.argv.slice(2);
const rows: Figure[] = [];
for (const [name, run] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench ${name}...\n`);
  rows.push(...(await run()));
}
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(
  `\n${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores (${cpu}) · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version}\n`,
);
console.log('| figure | value | target |');
console.log('|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.value < 0.1 ? r.value.toPrecision(2) : r.value.toFixed(r.value < 10 ? 2 : 0)} ${r.unit} | ${r.target} |`,
  );
