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
    const lenses: vscode.CodeLens[] = [];
    for (const st of result.statements) {
      const title = lensText(st);
      if (!title) continue;
      const at = new vscode.Range(st.range.start.line, st.range.start.character, st.range.start.line, st.range.start.character);
      lenses.push(new vscode.CodeLens(at, {
        title,
        tooltip: 'What this statement locks — click for details',
        command: 'pgPreflight.showLockDetails',
        arguments: [doc.uri, at.start],
      }));
    }
    return lenses;
  }
}
