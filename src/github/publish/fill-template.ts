import type { PrTemplate } from '../../repo/conventions/pr-template.ts';

export interface BodyParts {
  summary: string;
  /** `Closes #12` in the repo's own words, or empty when there is no issue to link. */
  closes: string;
  evidence: string;
  testsPassed: boolean;
}

const SUMMARY = /summary|description|what|why|changes|motivation|context|purpose|overview|about/i;
const TESTING = /test|verif|how.*(tested|check)|qa\b|validation/i;
const TESTED_BOX = /\b(tests?|tested|ci)\b.*\b(pass|passes|passing|green|added|run|ran)\b|\bI have (run|tested|added tests)/i;

/**
 * Fills the repo's PR template: every heading kept in order, HTML comments removed, the summary
 * under the first description heading, the evidence under the testing heading (or in its own),
 * checkboxes kept and ticked only when they claim tests ran and the harness saw them pass.
 */
export function fillTemplate(template: PrTemplate | null, parts: BodyParts): string {
  const closes = parts.closes;
  if (!template) return [parts.summary, '', closes, '', '## Evidence', '', parts.evidence].join('\n').replace(/\n{3,}/g, '\n\n');
  const text = template.text.replace(/<!--[\s\S]*?-->/g, '').replace(/\r\n/g, '\n');
  const sections = splitSections(text);
  let placedSummary = false;
  let placedEvidence = false;
  const out: string[] = [];
  for (const s of sections) {
    const boxes = s.body.filter((l) => /^\s*[-*] \[[ xX]\]/.test(l)).map((l) => tick(l, parts.testsPassed));
    if (s.heading === null) {
      if (s.body.some((l) => l.trim())) out.push(...boxes);
      continue;
    }
    out.push(s.heading, '');
    if (!placedSummary && SUMMARY.test(s.heading)) {
      out.push(parts.summary, '', closes, '');
      placedSummary = true;
    } else if (!placedEvidence && TESTING.test(s.heading)) {
      out.push(parts.evidence, '');
      placedEvidence = true;
    }
    if (boxes.length) out.push(...boxes, '');
  }
  if (!placedSummary) out.unshift(parts.summary, '', closes, '');
  if (!placedEvidence) out.push('## Evidence', '', parts.evidence);
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

function splitSections(text: string): Array<{ heading: string | null; body: string[] }> {
  const sections: Array<{ heading: string | null; body: string[] }> = [{ heading: null, body: [] }];
  for (const line of text.split('\n')) {
    if (/^#{1,6}\s+\S/.test(line)) sections.push({ heading: line.trim(), body: [] });
    else sections.at(-1)!.body.push(line);
  }
  return sections;
}

function tick(line: string, testsPassed: boolean): string {
  const untick = line.replace(/\[[xX]\]/, '[ ]');
  return testsPassed && TESTED_BOX.test(line) ? untick.replace('[ ]', '[x]') : untick;
}
