// The status-bar item: the findings of the active SQL document and the connected target ("no target" until the
// inspector exists), like ESLint's status item. Clicking it opens the Problems panel.
import * as vscode from 'vscode';
import type { Linted } from './diagnostics.js';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pgPreflight.status', vscode.StatusBarAlignment.Right, 100);
  /** The last text shown, for tests (a status item's text is not readable through the API). */
  text = '';

  constructor() {
    this.item.name = 'Postgres Preflight';
    this.item.command = 'workbench.actions.view.problems';
  }

  dispose(): void { this.item.dispose(); }

  hide(): void { this.item.hide(); this.text = ''; }

  show(linted: Linted | undefined, target: string | undefined, loading: boolean, verdict?: string): void {
    const where = target ? `$(plug) ${target}${verdict ? ` · preflight ${verdict}` : ''}` : 'no target';
    let text: string;
    let tooltip: string;
    this.item.backgroundColor = undefined;
    if (loading || !linted) {
      text = `$(sync~spin) pg-preflight · ${where}`;
      tooltip = 'pg-preflight is loading its SQL parser';
    } else if (linted.error) {
      text = `$(error) pg-preflight · ${where}`;
      tooltip = `pg-preflight cannot lint this file: ${linted.error}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (linted.excluded) {
      text = `$(circle-slash) pg-preflight · ${where}`;
      tooltip = 'This file is excluded by .pgpreflight.json';
    } else {
      const f = linted.result?.findings ?? [];
      const errors = f.filter((x) => x.severity === 'error').length + (linted.result?.parseProblems.length ?? 0);
      const warnings = f.filter((x) => x.severity === 'warning').length;
      const other = f.length - f.filter((x) => x.severity === 'error' || x.severity === 'warning').length;
      const counts = errors + warnings + other === 0 ? '$(check)' : `$(error) ${errors} $(warning) ${warnings}${other ? ` $(info) ${other}` : ''}`;
      text = `$(database) pg-preflight ${counts} · ${where}`;
      const statements = linted.result?.statements.length ?? 0;
      tooltip = `pg-preflight: ${errors} error(s), ${warnings} warning(s), ${other} other finding(s) in ${statements} statement(s)\n` +
        (target ? `Target: ${target}${verdict ? `\nLast preflight: ${verdict}` : ''}` : 'No target database connected (Postgres Preflight: Connect…)');
    }
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.text = text;
    this.item.show();
  }
}
