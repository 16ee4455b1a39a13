import { describe, expect, it } from 'vitest';
import { diffView, highlight, parseUnifiedDiff } from '../../src/dashboard/diff-view.ts';
import { html, outcomeBadge } from '../../src/dashboard/html.ts';
import { renderEvent } from '../../src/dashboard/run-page.ts';

describe('dashboard rendering', () => {
  it('escapes everything that comes from GitHub or the model', () => {
    const evil = '<img src=x onerror=alert(1)> "quoted" \'single\'';
    expect(html`<p title="${evil}">${evil}</p>`.text).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &#39;single&#39;">&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &#39;single&#39;</p>',
    );
    const fragment = renderEvent({
      type: 'item.completed',
      item: {
        id: 'a',
        kind: 'command_execution',
        command: 'echo <script>',
        cwd: '/',
        exitCode: 0,
        durationMs: 5,
        output: '</pre><script>alert(1)</script>',
      },
    })!.text;
    expect(fragment).not.toContain('<script>');
    expect(fragment).toContain('&lt;/pre&gt;&lt;script&gt;');
    expect(outcomeBadge('tests_failing').text).toBe('<span class="badge warn">tests failing</span>');
  });

  it('reads a unified diff with line numbers and colours code without breaking its escaping', () => {
    const diff =
      'diff --git a/x.js b/x.js\n--- a/x.js\n+++ b/x.js\n@@ -10,3 +10,4 @@ function f() {\n const a = 1;\n-return "<b>";\n+return a; // done\n+const n = 42;\n }\n';
    const [file] = parseUnifiedDiff(diff);
    expect(file!.path).toBe('x.js');
    expect(file!.hunks[0]!.lines.map((l) => [l.kind, l.old, l.new])).toEqual([
      [' ', 10, 10],
      ['-', 11, null],
      ['+', null, 11],
      ['+', null, 12],
      [' ', 12, 13],
    ]);
    expect(highlight('return "<b>"; // x')).toBe(
      '<span class="tok-k">return</span> <span class="tok-s">&quot;&lt;b&gt;&quot;</span>; <span class="tok-c">// x</span>',
    );
    const split = diffView(diff, 'split', '/dashboard/runs/1').text;
    expect(split).toContain('table class="diff split"');
    expect(split.match(/class="code del"/g)).toHaveLength(1);
    expect(split.match(/class="code add"/g)).toHaveLength(2);
    expect(diffView('', 'unified', '/x').text).toContain('No change to the code.');
  });
});
