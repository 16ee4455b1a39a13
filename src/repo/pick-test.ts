import type { CiCommand } from './ci-commands.ts';
import type { Detected, Evidence } from './detection.ts';
import {
  BUILD_COMMANDS,
  CI_ONLY_SETTING,
  type CommandContext,
  isTestCommand,
  normaliseCommand,
  PLATFORM_JOB,
  setAsideReason,
  SOFT_REASON,
  SPECIAL_JOB,
} from './test-commands.ts';

/** A test command considered, with where it came from and, when it was not taken, why. */
export interface Candidate {
  command: string;
  file: string;
  line: number;
  source: 'agent.yml' | 'agent instructions' | 'ci' | 'project files';
  /** Set when this candidate was set aside. */
  setAside?: string;
}

export interface Picked {
  test: Detected | null;
  /** Build steps CI runs before the picked test command, in the same job. */
  ciSetup: Detected[];
  candidates: Candidate[];
}

interface Offer {
  command: string;
  evidence: Evidence;
  source: Candidate['source'];
  /** A command read from CI or AGENTS.md: made runnable and judged; project-file commands are Patchwright's own. */
  judge: boolean;
  ci?: CiCommand;
}

/**
 * The test command, in the order of trust (agent.yml, then what the repository tells agents, then
 * CI on push or pull request, then the project's own files): the first that is the whole unit suite
 * wins; every other one is listed with the reason it was set aside.
 */
export function pickTest(
  offers: { override?: Detected; stated: Detected[]; ci: CiCommand[]; project: Detected[] },
  allCi: CiCommand[],
  context: CommandContext & { reason?: (command: string) => string | null } = {},
): Picked {
  const all: Offer[] = [
    ...(offers.override
      ? [
          {
            command: offers.override.command,
            evidence: offers.override.evidence,
            source: 'agent.yml' as const,
            judge: false,
          },
        ]
      : []),
    ...offers.stated.map((d) => ({
      command: d.command,
      evidence: d.evidence,
      source: 'agent instructions' as const,
      judge: true,
    })),
    ...offers.ci.map((c) => ({
      command: c.command,
      evidence: { file: c.file, line: c.line, why: 'the repository’s CI runs it' },
      source: 'ci' as const,
      judge: true,
      ci: c,
    })),
    ...offers.project.map((d) => ({
      command: d.command,
      evidence: d.evidence,
      source: 'project files' as const,
      judge: false,
    })),
  ];
  const candidates: Candidate[] = [];
  let test: Detected | null = null;
  let ciSetup: Detected[] = [];
  for (const offer of all) {
    const judged = offer.judge ? judge(offer, allCi, context) : { command: offer.command, why: offer.evidence.why };
    const where = { file: offer.evidence.file, line: offer.evidence.line, source: offer.source };
    if ('setAside' in judged) {
      candidates.push({ command: offer.command, ...where, setAside: judged.setAside });
      continue;
    }
    if (candidates.some((c) => c.command === judged.command && !c.setAside)) continue;
    if (test) {
      candidates.push({
        command: judged.command,
        ...where,
        setAside: `${test.command} was found first (${sourceWord(candidates.find((c) => !c.setAside)!.source)})`,
      });
      continue;
    }
    test = { command: judged.command, evidence: { ...offer.evidence, why: judged.why } };
    candidates.push({ command: judged.command, ...where });
    if (offer.ci) ciSetup = buildSteps(offer.ci, allCi, context);
  }
  // The team's own CI run, second best only (a build-tag run, another platform's job), beats a default made from the project files.
  const fromProject = test && candidates.find((c) => !c.setAside)?.source === 'project files';
  for (const offer of !test || fromProject
    ? all.filter(
        (o) =>
          o.ci &&
          SOFT_REASON.test(
            candidates.find((c) => c.file === o.evidence.file && c.line === o.evidence.line && c.command === o.command)
              ?.setAside ?? '',
          ),
      )
    : []) {
    const judged = judge(offer, allCi, context, false, true);
    if ('setAside' in judged) continue;
    const previous = test;
    test = { command: judged.command, evidence: { ...offer.evidence, why: judged.why } };
    const at = candidates.findIndex(
      (c) => c.file === offer.evidence.file && c.line === offer.evidence.line && c.command === offer.command,
    );
    candidates.splice(at, 1, {
      command: judged.command,
      file: offer.evidence.file,
      line: offer.evidence.line,
      source: offer.source,
    });
    for (const c of candidates)
      if (previous && c.command === previous.command && !c.setAside)
        c.setAside = `CI’s own \`${judged.command}\` was preferred to a default`;
    ciSetup = buildSteps(offer.ci!, allCi, context);
    break;
  }
  // Nothing else runs the tests: a workflow that runs them only on a schedule still names the suite (tmux's nightly regress).
  for (const offer of test ? [] : all.filter((o) => o.ci && !o.ci.onChange)) {
    const judged = judge(offer, allCi, context, true);
    if ('setAside' in judged) continue;
    test = {
      command: judged.command,
      evidence: { ...offer.evidence, why: `${judged.why}; only a scheduled workflow runs the tests` },
    };
    const at = candidates.findIndex(
      (c) => c.file === offer.evidence.file && c.line === offer.evidence.line && c.command === offer.command,
    );
    candidates.splice(at < 0 ? 0 : at, at < 0 ? 0 : 1, {
      command: judged.command,
      file: offer.evidence.file,
      line: offer.evidence.line,
      source: offer.source,
    });
    ciSetup = buildSteps(offer.ci!, allCi, context);
    break;
  }
  return { test, ciSetup, candidates: dedupe(candidates) };
}

/** Folders CI builds into and runs the tests from (`cmake -B build`, `cd build && ctest`). */
const BUILD_DIR = /^(build|_build|out|cmake-build[\w-]*|build-[\w-]+)$/;
/** Folders of a repository's test suite, where a plain `make` runs the tests (`cd regress && make` in tmux). */
const TEST_DIR = /^(tests?|t|regress|regression|testsuite|test-suite)$/;
const BARE_MAKE = /^g?make((\s+-[\w-]+("[^"]*")?)|(\s+[A-Z_]+=\S+))*\s*$/;
/** ...or the test folder's own script (`cd tests && ./unittest.sh` in inih), or its Rakefile (`cd test && rake ci` in Unity). */
const TEST_DIR_SCRIPT = /^(bash |sh )?(\.\/)?[\w.-]*tests?[\w.-]*\.sh$|^(bundle exec )?rake( [\w:-]+)?$/;
export const isTestDirRun = (command: string, cwd: string | undefined): boolean =>
  !!cwd && TEST_DIR.test(cwd) && (BARE_MAKE.test(command) || TEST_DIR_SCRIPT.test(command));

/** `scheduled`: a workflow's schedule is no reason to set it aside; `soft`: nor are the reasons in SOFT_REASON. */
function judge(
  offer: Offer,
  allCi: CiCommand[],
  context: CommandContext & { reason?: (command: string) => string | null },
  scheduled = false,
  soft = false,
): { command: string; why: string } | { setAside: string } {
  const ci = offer.ci;
  if (ci && !ci.onChange && !scheduled)
    return { setAside: 'its workflow runs only on a schedule, by hand or on a release' };
  const n = normaliseCommand(selected(offer.command, ci), ci?.env ? { ...context, env: ci.env } : context);
  if ('setAside' in n) return n;
  const testDirRun = isTestDirRun(n.command, ci?.cwd);
  // A script of the repository that ends by running the tests is judged by the run it ends with.
  const inner = !testDirRun && !isTestCommand(n.command) ? (context.testScript?.(n.command, ci?.cwd) ?? null) : null;
  if (!testDirRun && !isTestCommand(n.command) && !inner)
    return { setAside: 'not a test command once CI’s values are taken out' };
  const innerReason = inner ? setAsideReason(inner) : null;
  const reason =
    (innerReason && `it ends with \`${inner}\`: ${innerReason}`) ??
    setAsideReason(n.command) ??
    context.reason?.(n.command);
  if (reason && !(soft && SOFT_REASON.test(reason))) return { setAside: reason };
  if (ci && SPECIAL_JOB.test(ci.job)) return { setAside: `its CI job \`${ci.job}\` is special-purpose` };
  const workflow = ci?.file
    .split('/')
    .pop()
    ?.replace(/\.ya?ml$/, '');
  if (workflow && SPECIAL_JOB.test(workflow)) return { setAside: `its workflow \`${workflow}\` is special-purpose` };
  if (!soft && ci && PLATFORM_JOB.test(ci.job)) return { setAside: `its CI job \`${ci.job}\` is for another platform` };
  if (!soft && workflow && PLATFORM_JOB.test(workflow))
    return { setAside: `its workflow \`${workflow}\` is for another platform` };
  // `make tests` followed in the same job by `make check`: it only builds what `make check` runs.
  if (
    ci &&
    /^g?make\b.*\stests$/.test(n.command) &&
    allCi.some(
      (c) =>
        c.file === ci.file && c.job === ci.job && c.line > ci.line && /^g?make\b.*\s(check|test)(\s|$)/.test(c.command),
    )
  ) {
    return { setAside: 'it builds the tests that a later step of the same job runs' };
  }
  const cwd = ci?.cwd;
  if (cwd && !/^[\w.][\w./-]*$/.test(cwd)) return { setAside: `runs in ${cwd}, a folder only CI knows` };
  if (cwd && !BUILD_DIR.test(cwd) && !testDirRun) return { setAside: `runs in ${cwd}/, one part of the repository` };
  // Tests run from a build folder need CI's configure step for it, made runnable here.
  if (
    cwd &&
    ci &&
    !testDirRun &&
    !buildSteps(ci, allCi, context).some((b) =>
      /^(cd \S+ && )?(cmake (?!--build)|\.{1,2}\/configure|meson setup)/.test(b.command),
    )
  )
    return { setAside: `its build in ${cwd}/ depends on values only CI knows` };
  // What the step sets for its command (its own `env:`, `export` lines, a sourced script) is part of the command here too.
  const kept = ci ? stepSettings(ci) : { prefix: '', why: [] };
  const command = `${cwd ? `cd ${cwd} && ` : ''}${kept.prefix}${n.command}`;
  const why = [offer.evidence.why, ...n.changes, ...kept.why].join('; ');
  return { command, why };
}

/** The build steps (configure, cmake, make) of the test's CI job that come before it, made runnable. */
function buildSteps(test: CiCommand, all: CiCommand[], context: CommandContext): Detected[] {
  const out: Detected[] = [];
  for (const c of all) {
    if (c.file !== test.file || c.job !== test.job || c.line >= test.line) continue;
    const n = normaliseCommand(c.command, c.env ? { ...context, env: c.env } : context);
    if ('setAside' in n || !BUILD_COMMANDS.some((re) => re.test(n.command))) continue;
    if (c.cwd && !/^[\w.][\w./-]*$/.test(c.cwd)) continue;
    const command = c.cwd ? `cd ${c.cwd} && ${n.command}` : n.command;
    if (!out.some((o) => o.command === command))
      out.push({ command, evidence: { file: c.file, line: c.line, why: 'CI builds with it before the tests' } });
  }
  return out;
}

/** `tox` or `nox` whose step sets `TOXENV` / `NOXSESSION`: the environment it names, as `-e` / `-s`, judged as such. */
function selected(command: string, ci: CiCommand | undefined): string {
  const env = ci?.stepEnv?.includes('TOXENV') ? ci.env?.TOXENV : undefined;
  const session = ci?.stepEnv?.includes('NOXSESSION') ? ci.env?.NOXSESSION : undefined;
  if (env && /^((python3? -m |uvx )?tox)( run)?$/.test(command)) return `${command} -e ${env}`;
  if (session && /^((python3? -m |uvx )?nox)$/.test(command)) return `${command} -s ${session}`;
  return command;
}

/**
 * Values a run needs of the ones its step sets: the literal ones, less colour, CI-service, token,
 * package-manager, coverage and report settings, a compiler's flags (CI's build variants, dropped
 * from a command line too), the tox or nox selection (read as `-e`/`-s`), and snapshot-accepting settings (`INSTA_FORCE_PASS`, `UPDATE_SNAPSHOTS` would make
 * failing tests pass). A sourced repository script is kept as it is: it sets values we cannot see.
 */
function stepSettings(ci: CiCommand): { prefix: string; why: string[] } {
  const values = (ci.stepEnv ?? [])
    .filter((name) => !CI_ONLY_SETTING.test(name))
    .map((name) => [name, ci.env?.[name]] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined && !/\$|`/.test(pair[1]));
  const assignments = values.map(
    ([name, value]) => `${name}=${/^[\w./:,+=@%-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`}`,
  );
  const sourced = (ci.sourced ?? []).map((f) => `. ${f} && `).join('');
  const why = [
    ...(values.length ? [`with what the step sets: ${values.map(([n]) => `\`${n}\``).join(', ')}`] : []),
    ...(ci.sourced?.length ? [`after the step’s \`. ${ci.sourced.join('`, `. ')}\``] : []),
  ];
  return { prefix: `${sourced}${assignments.length ? `${assignments.join(' ')} ` : ''}`, why };
}

function sourceWord(source: Candidate['source']): string {
  return source === 'ci'
    ? 'in CI'
    : source === 'agent.yml'
      ? 'in .github/agent.yml'
      : source === 'agent instructions'
        ? 'in what the repository tells agents'
        : 'in the project files';
}

function dedupe(candidates: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const key = `${c.command}\u0000${c.setAside ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
