// Hover and inline lock markers (CodeLens) over each statement, read from the document's current analysis.
import * as vscode from 'vscode';
import type { StatementInfo } from '../analyzer/analyze.js';
import type { Linter } from './diagnostics.js';
import { toRange } from './diagnostics.js';
import { hoverMarkdown, lensText } from './present.js';
import { liveMarkdown, type LiveInfoProvider } from './live.js';
import { settings } from './settings.js';

/** The statement whose text covers `offset` (binary search over statements in document order). */
export function statementAt(statements: readonly StatementInfo[], offset: number): StatementInfo | undefined {
  let lo = 0, hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = statements[mid];
    if (offset < s.start) hi = mid - 1;
    else if (offset > s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

export class StatementHover implements vscode.HoverProvider {
  constructor(private readonly linter: Linter, private readonly live: () => LiveInfoProvider) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const linted = await this.linter.current(doc);
    const result = linted?.result;
    if (!result || token.isCancellationRequested) return undefined;
    const st = statementAt(result.statements, doc.offsetAt(pos));
    if (!st) return undefined;
    const provider = this.live();
    let live = liveMarkdown(undefined, provider.targetName);
    try {
      const info = await provider.liveInfo(st, doc, token);
      live = liveMarkdown(info, provider.targetName);
    } catch (e) {
      live = `*Live data unavailable: ${(e as Error).message}*`;
    }
    const md = new vscode.MarkdownString(hoverMarkdown(st, live));
    md.isTrusted = { enabledCommands: ['pgPreflight.connect'] };
    return new vscode.Hover(md, toRange(st.range));
  }
}

/** Whether a statement gets an inline marker: exactly when `lensText` gives one, without building the text. */
export function hasLens(st: StatementInfo): boolean {
  return st.rewritesTable || st.scansTable || st.locks.some((l) => !l.createdInMigration);
}

/** The statement a lens stands for, for resolving it later (only lenses VS Code shows are resolved). */
const lensStatement = new WeakMap<vscode.CodeLens, { uri: vscode.Uri; st: StatementInfo }>();

/** Line ranges shown by the document's editors, with a margin (none when it is not visible). */
function visibleLines(doc: vscode.TextDocument): Array<[number, number]> {
  const MARGIN = 50;
  const out: Array<[number, number]> = [];
  for (const e of vscode.window.visibleTextEditors) {
    if (e.document !== doc) continue;
    for (const r of e.visibleRanges) out.push([r.start.line - MARGIN, r.end.line + MARGIN]);
  }
  return out;
}

function resolveLens(lens: vscode.CodeLens, uri: vscode.Uri, st: StatementInfo): vscode.CodeLens {
  const title = lensText(st) ?? '';
  lens.command = {
    title,
    tooltip: 'What this statement locks — click for details',
    command: 'pgPreflight.showLockDetails',
    arguments: [uri, lens.range.start],
  };
  return lens;
}

/**
 * Inline lock markers. A long migration has a marker on most of its statements, and VS Code asks for all of them
 * after every edit, so the provider only places them; the text of a marker is built when VS Code resolves it, which
 * it does for the markers in view (those already in view are built right away, so they never flash empty).
 */
export class LockLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly linter: Linter) {}

  refresh(): void { this.changed.fire(); }
  dispose(): void { this.changed.dispose(); }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!settings(doc.uri).inlineLocks) return [];
    const result = (await this.linter.current(doc))?.result;
    if (!result) return [];
    const visible = visibleLines(doc);
    const lenses: vscode.CodeLens[] = [];
    for (const st of result.statements) {
      if (!hasLens(st)) continue;
      const { line, character } = st.range.start;
      const lens = new vscode.CodeLens(new vscode.Range(line, character, line, character));
      if (visible.some(([from, to]) => line >= from && line <= to)) resolveLens(lens, doc.uri, st);
      else lensStatement.set(lens, { uri: doc.uri, st });
      lenses.push(lens);
    }
    return lenses;
  }

  resolveCodeLens(lens: vscode.CodeLens): vscode.CodeLens {
    const of = lensStatement.get(lens);
    return of && !lens.command ? resolveLens(lens, of.uri, of.st) : lens;
  }
}
