/**
 * No words the reader sees are written into the components: every JSX text,
 * every string given to a labelling attribute (aria-label, title, placeholder,
 * alt, label…) and every string literal placed in JSX must come from the
 * messages. Read from the TypeScript syntax tree of every .tsx file in app/
 * and components/, so formatting cannot hide one. Words without letters
 * (emoji, ×, ⋮) and the brand name are allowed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const DIRS = ['app', 'components'];
/** Attributes whose string a person reads or hears (labels, tooltips, dialog words). */
const WORD_PROPS = new Set([
  'aria-label',
  'aria-description',
  'aria-valuetext',
  'title',
  'placeholder',
  'alt',
  'label',
  'detail',
  'description',
  'confirmLabel',
]);
const ALLOWED = new Set(['Convene']);
const LETTERS = /\p{L}{2,}/u;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsxFiles(full);
    return e.name.endsWith('.tsx') ? [full] : [];
  });
}

const isWords = (text: string) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t !== '' && LETTERS.test(t) && !ALLOWED.has(t);
};

/** String literals an expression may evaluate to directly (`a ? 'x' : 'y'`, `a || 'x'`, `'x'`, a template's own text). */
function literalsOf(e: ts.Expression): string[] {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isTemplateExpression(e)) return [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].filter(isWords);
  if (ts.isParenthesizedExpression(e)) return literalsOf(e.expression);
  if (ts.isConditionalExpression(e)) return [...literalsOf(e.whenTrue), ...literalsOf(e.whenFalse)];
  if (
    ts.isBinaryExpression(e) &&
    [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(
      e.operatorToken.kind,
    )
  )
    return [...literalsOf(e.left), ...literalsOf(e.right)];
  return [];
}

/** Each hard-coded English phrase in one file, as `file:line "words"`. */
function hardCoded(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${path.relative(ROOT, file)}:${line + 1} "${text.replace(/\s+/g, ' ').trim()}"`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && isWords(node.text)) report(node, node.text);
    if (ts.isJsxAttribute(node) && WORD_PROPS.has(node.name.getText(source)) && node.initializer) {
      const init = node.initializer;
      const texts = ts.isStringLiteral(init)
        ? [init.text]
        : ts.isJsxExpression(init) && init.expression
          ? literalsOf(init.expression)
          : [];
      for (const t of texts) if (isWords(t)) report(node, t);
    }
    // A string placed in JSX as a child: {cond ? 'Words' : …}.
    if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent))
      for (const t of literalsOf(node.expression)) if (isWords(t)) report(node, t);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the UI’s words come from the messages', () => {
  it('no component or page in app/ and components/ writes English into JSX or a label', () => {
    const files = DIRS.flatMap((d) => tsxFiles(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(30);
    expect(files.flatMap((f) => hardCoded(f))).toEqual([]);
  });

  it('the scan finds text, labels and literals in JSX (it can fail)', () => {
    const sample = [
      'export const Sample = ({ busy, t }: { busy: boolean; t: (k: string) => string }) => (',
      '  <form aria-label={t("form")} title="✓">',
      '    <span>×</span> {t("ok")} Convene',
      '    <button>Join now</button>',
      '    <div role="meter" aria-label="Microphone level" />',
      '    {busy ? "Joining…" : `Ask to join`}',
      '    <Picker label={busy ? t("x") : "Camera"} />',
      '  </form>',
      ');',
    ].join('\n');
    expect(hardCoded(path.join(ROOT, 'sample.tsx'), sample).map((f) => f.replace(/^.*:(\d+) /, '$1 '))).toEqual([
      '4 "Join now"',
      '5 "Microphone level"',
      '6 "Joining…"',
      '6 "Ask to join"',
      '7 "Camera"',
    ]);
  });
});
