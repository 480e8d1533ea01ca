// Code actions for pg-preflight diagnostics, as a fixed set per finding (squawk, vscode-eslint): the rule's fix —
// a preferred quick fix when it keeps the meaning, otherwise a suggestion — then "Ignore <rule> for this statement",
// "Ignore <rule> for this file" and "Show rule documentation".
//
// Edits travel as a command stamped with the document version they were computed for; the command refuses a
// changed document and re-lints instead (vscode-eslint's applySingleFix does the same).
import * as vscode from 'vscode';
import type { AnalysisResult } from './engine.js';
import type { Finding, TextEdit } from '../analyzer/types.js';
import { ruleIdOf, type Linter } from './diagnostics.js';

export const FIX_ALL = vscode.CodeActionKind.SourceFixAll.append('pgPreflight');
export const APPLY_EDITS = 'pgPreflight.applyEdits';
export const SHOW_DOCS = 'pgPreflight.showRuleDocs';

const IGNORE_LINE = /^(\s*--\s*pg-preflight-ignore)(?!-file)\b(.*)$/;
const IGNORE_FILE_LINE = /^(\s*--\s*pg-preflight-ignore-file)\b(.*)$/;

function sameRange(a: vscode.Range, b: Finding['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function appendRule(existing: string, rule: string): string {
  const list = existing.trim();
  return list ? `, ${rule}` : ` ${rule}`;
}

/** `-- pg-preflight-ignore <rule>` on the line before the statement, with the statement's indentation. */
export function ignoreStatementEdit(doc: vscode.TextDocument, result: AnalysisResult, f: Finding): TextEdit {
  const st = result.statements[f.statementIndex];
  const start = st.range.start;
  if (start.line > 0) {
    const prev = doc.lineAt(start.line - 1).text;
    const m = IGNORE_LINE.exec(prev);
    const prevEnd = f.statementIndex > 0 ? result.statements[f.statementIndex - 1].range.end.line : -1;
    if (m && prevEnd < start.line - 1) {
      const at = { line: start.line - 1, character: prev.length };
      return { range: { start: at, end: at }, newText: appendRule(m[2], f.ruleId) };
    }
  }
  const lineText = doc.lineAt(start.line).text;
  const before = lineText.slice(0, start.character);
  const indent = /^\s*/.exec(lineText)![0];
  const directive = `-- pg-preflight-ignore ${f.ruleId}`;
  if (before.trim() === '') {
    const at = { line: start.line, character: 0 };
    return { range: { start: at, end: at }, newText: `${before}${directive}\n` };
  }
  // The statement starts after another one on the same line: break the line so the directive precedes only it.
  return { range: { start, end: start }, newText: `\n${indent}${directive}\n${indent}` };
}

/** `-- pg-preflight-ignore-file <rule>` at the top of the file (extends an existing directive there). */
export function ignoreFileEdit(doc: vscode.TextDocument, ruleId: string): TextEdit {
  if (doc.lineCount > 0) {
    const first = doc.lineAt(0).text;
    const m = IGNORE_FILE_LINE.exec(first);
    if (m) {
      const at = { line: 0, character: first.length };
      return { range: { start: at, end: at }, newText: appendRule(m[2], ruleId) };
    }
  }
  const at = { line: 0, character: 0 };
  return { range: { start: at, end: at }, newText: `-- pg-preflight-ignore-file ${ruleId}\n` };
}

function editCommand(title: string, doc: vscode.TextDocument, version: number, edits: TextEdit[]): vscode.Command {
  return { title, command: APPLY_EDITS, arguments: [doc.uri.toString(), version, edits] };
}

export class CodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL],
  };

  constructor(private readonly linter: Linter) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const linted = this.linter.last(doc);
    const fresh = linted?.result && linted.version === doc.version ? linted.result : undefined;
    if (context.only && FIX_ALL.contains(context.only)) return fresh ? this.fixAll(doc, fresh, linted!.version) : [];

    const actions: vscode.CodeAction[] = [];
    const docsActions: vscode.CodeAction[] = [];
    let stale = false;
    for (const d of context.diagnostics) {
      const ruleId = ruleIdOf(d);
      if (!ruleId) continue;
      const docs = new vscode.CodeAction(`Show documentation for ${ruleId}`, vscode.CodeActionKind.QuickFix);
      docs.command = { title: docs.title, command: SHOW_DOCS, arguments: [ruleId] };
      docs.diagnostics = [d];
      docsActions.push(docs);
      // Edits need the analysis of this very version; a pending debounce means the ranges may have moved.
      const f = fresh?.findings.find((x) => x.ruleId === ruleId && sameRange(d.range, x.range));
      if (!f) { stale = true; continue; }
      if (f.fix) {
        const fix = new vscode.CodeAction(f.fix.title, vscode.CodeActionKind.QuickFix);
        fix.isPreferred = f.fix.isPreferred;
        fix.diagnostics = [d];
        fix.command = editCommand(f.fix.title, doc, doc.version, f.fix.edits);
        actions.push(fix);
      }
      const stmt = new vscode.CodeAction(`Ignore ${ruleId} for this statement`, vscode.CodeActionKind.QuickFix);
      stmt.diagnostics = [d];
      stmt.command = editCommand(stmt.title, doc, doc.version, [ignoreStatementEdit(doc, fresh!, f)]);
      const file = new vscode.CodeAction(`Ignore ${ruleId} for this file`, vscode.CodeActionKind.QuickFix);
      file.diagnostics = [d];
      file.command = editCommand(file.title, doc, doc.version, [ignoreFileEdit(doc, ruleId)]);
      actions.push(stmt, file);
    }
    if (stale) void this.linter.lintSoon(doc);
    // One documentation entry per rule, after the edits.
    const seen = new Set<string>();
    for (const a of docsActions) if (!seen.has(a.title)) { seen.add(a.title); actions.push(a); }
    return actions;
  }

  /** `source.fixAll.pgPreflight`: every preferred fix, skipping any that overlaps an earlier one. */
  private fixAll(doc: vscode.TextDocument, result: AnalysisResult, version: number): vscode.CodeAction[] {
    const edits: TextEdit[] = [];
    const taken: vscode.Range[] = [];
    for (const f of result.findings) {
      if (!f.fix?.isPreferred) continue;
      const ranges = f.fix.edits.map((e) => new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character));
      if (ranges.some((r) => taken.some((t) => t.intersection(r) !== undefined))) continue;
      taken.push(...ranges);
      edits.push(...f.fix.edits);
    }
    if (edits.length === 0) return [];
    const action = new vscode.CodeAction('Fix all auto-fixable pg-preflight problems', FIX_ALL);
    action.command = editCommand(action.title, doc, version, edits);
    return [action];
  }
}

/** The handler of pgPreflight.applyEdits: applies only to the version the edits were computed for. */
export async function applyEdits(linter: Linter, uri: string, version: number, edits: TextEdit[]): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  if (!doc || doc.version !== version) {
    if (doc) void linter.lintSoon(doc);
    vscode.window.setStatusBarMessage('pg-preflight: the document changed since this fix was computed — nothing applied; try again', 4000);
    return false;
  }
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) {
    we.replace(doc.uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  }
  return vscode.workspace.applyEdit(we);
}
