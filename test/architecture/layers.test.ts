import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of docs/internals/architecture.md, checked on every import in src/:
 * protocol <- core <- adapters; protocol <- repo; all of them <- run (prepareRun) <- front ends (github,
 * app-server, dashboard, eval) <- server (the composition roots) <- cli.
 * A layer imports its own folder and the layers below it; front ends never import each other (what joins
 * them is a composition root in src/server/). No file-level import circles, type-only imports included.
 */
const BELOW = ['protocol', 'core', 'adapters', 'repo'];
const FRONT = ['github', 'app-server', 'dashboard', 'eval'];
const MAY_IMPORT: Record<string, string[]> = {
  protocol: [],
  core: ['protocol'],
  // what a checkout tells: files in, facts out; no engine, no side effects of its own
  repo: ['protocol'],
  adapters: ['protocol', 'core'],
  // one run assembled the same way for every front end (prepareRun, the local sandbox and config)
  run: BELOW,
  ...Object.fromEntries(FRONT.map((f) => [f, [...BELOW, 'run']])),
  server: [...BELOW, 'run', ...FRONT],
  cli: [...BELOW, 'run', ...FRONT, 'server'],
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, dynamic, re-exports), resolved to paths under src/. */
export function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => path.normalize(path.join(path.dirname(file), s)));
}

const layerOf = (file: string) => file.split(path.sep)[1]!;

function cycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components; any with more than one file is a circle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('layers', () => {
  const all = files('src');
  const graph = new Map(all.map((f) => [f, importsOf(f)]));

  it('every folder of src/ has a place in the layer order', () => {
    expect(all.map(layerOf).filter((l) => !(l in MAY_IMPORT))).toEqual([]);
  });

  it('every import points down the layers or within its own folder, and front ends do not import each other', () => {
    const bad: string[] = [];
    for (const [from, targets] of graph) {
      const a = layerOf(from);
      for (const to of targets) {
        const b = layerOf(to);
        if (a === b) continue;
        if (!MAY_IMPORT[a]!.includes(b)) bad.push(`${from} -> ${to}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('protocol needs nothing but zod', () => {
    const outside = all
      .filter((f) => layerOf(f) === 'protocol')
      .flatMap((f) =>
        [...fs.readFileSync(f, 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g)].map((m) => `${f}: ${m[1]}`),
      )
      .filter((s) => !s.endsWith(': zod'));
    expect(outside).toEqual([]);
  });

  it('src/core knows nothing of GitHub or any SDK', () => {
    const pkgs = all
      .filter((f) => layerOf(f) === 'core')
      .flatMap((f) =>
        [...fs.readFileSync(f, 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g)].map((m) => `${f}: ${m[1]}`),
      )
      .filter((s) => !/: (zod|node:[\w/]+)$/.test(s));
    expect(pkgs).toEqual([]);
  });

  it('no import circles', () => {
    expect(cycles(graph)).toEqual([]);
  });
});
