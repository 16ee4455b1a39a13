import type { PrTemplate } from '../../repo/conventions/pr-template.ts';
import { heading as marker, joined, literal, md, type Posted } from './posted.ts';

export interface BodyParts {
  summary: Posted;
  /** `Closes #12` in the repo's own words, or empty when there is no issue to link. */
  closes: Posted;
  evidence: Posted;
  testsPassed: boolean;
  /** What the change touched: boxes claiming tests or docs were added are ticked only if it did. */
  filesChanged: string[];
}

const SUMMARY = /summary|description|what|why|changes|motivation|context|purpose|overview|about/i;
const TESTING = /test|verif|how.*(tested|check)|qa\b|validation/i;
const TESTS_ADDED_BOX =
  /\btests?\b.*\b(added|written|included|new|updated)\b|\b(added|wrote|write|add|include[sd]?|updated?)\b.*\btests?\b/i;
const TESTS_PASS_BOX =
  /\b(tests?|tested|ci|suite|checks?)\b.*\b(pass|passes|passing|green|run|ran|succeed\w*)\b|\bI have (run|tested)\b/i;
const DOCS_BOX =
  /\b(docs?|documentation|readme|changelog)\b.*\b(updated?|added|changed|written)\b|\b(updated?|added|changed|wrote)\b.*\b(docs?|documentation|readme|changelog)\b/i;
const TEST_FILE = /(^|\/)(tests?|spec|__tests__)\/|[._-](test|spec)\.\w+$|(^|\/)test_[^/]*\.py$/;
const DOC_FILE = /\.(md|mdx|rst|adoc)$|(^|\/)docs?\/|(^|\/)CHANGELOG/i;

/**
 * Fills the repo's PR template: every heading kept in order, HTML comments removed, the summary
 * under the first description heading, the evidence under the testing heading (or in its own),
 * checkboxes kept and ticked only when they claim tests ran and the harness saw them pass. The
 * template is the repository's text: its headings and box labels pass the sanitizer too.
 */
export function fillTemplate(template: PrTemplate | null, parts: BodyParts): Posted {
  const head = [parts.summary, ...(parts.closes.text ? [parts.closes] : [])];
  if (!template) return joined([...head, literal('## Evidence'), parts.evidence], '\n\n');
  const text = template.text.replace(/<!--[\s\S]*?-->/g, '').replace(/\r\n/g, '\n');
  const sections = splitSections(text);
  let placedSummary = false;
  let placedEvidence = false;
  const out: Posted[] = [];
  for (const s of sections) {
    const boxes = s.body.filter((l) => BOX.test(l)).map((l) => tick(l, parts));
    if (s.heading === null) {
      if (boxes.length) out.push(joined(boxes, '\n'));
      continue;
    }
    out.push(heading(s.heading));
    if (!placedSummary && SUMMARY.test(s.heading)) {
      out.push(...head);
      placedSummary = true;
    } else if (!placedEvidence && TESTING.test(s.heading)) {
      out.push(parts.evidence);
      placedEvidence = true;
    }
    if (boxes.length) out.push(joined(boxes, '\n'));
  }
  if (!placedSummary) out.unshift(...head);
  if (!placedEvidence) out.push(literal('## Evidence'), parts.evidence);
  return joined(out, '\n\n');
}

const BOX = /^\s*[-*] \[[ xX]\]/;

/** A template heading: its level kept, its words sanitized. */
function heading(line: string): Posted {
  const m = /^(#{1,6})\s+(.*)$/.exec(line.trim())!;
  return md`${marker(m[1]!.length)} ${m[2]!}`;
}

function splitSections(text: string): Array<{ heading: string | null; body: string[] }> {
  const sections: Array<{ heading: string | null; body: string[] }> = [{ heading: null, body: [] }];
  for (const line of text.split('\n')) {
    if (/^#{1,6}\s+\S/.test(line)) sections.push({ heading: line.trim(), body: [] });
    else sections.at(-1)!.body.push(line);
  }
  return sections;
}

/** A box is ticked only when the run did what it claims; a claim we cannot check stays open. */
function tick(line: string, parts: BodyParts): Posted {
  const text = line.replace(/^\s*[-*] \[[ xX]\]\s*/, '');
  const done = TESTS_ADDED_BOX.test(text)
    ? parts.filesChanged.some((f) => TEST_FILE.test(f))
    : TESTS_PASS_BOX.test(text)
      ? parts.testsPassed
      : DOCS_BOX.test(text)
        ? parts.filesChanged.some((f) => DOC_FILE.test(f))
        : false;
  return md`- [${done ? 'x' : ' '}] ${text}`;
}
