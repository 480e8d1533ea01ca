// The status-bar item: the findings of the active SQL document and the connected target ("no target" until the
// inspector exists), like ESLint's status item. Clicking it opens the Problems panel.
import * as vscode from 'vscode';
import type { Linted } from './diagnostics.js';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pgPreflight.status', vscode.StatusBarAlignment.Right, 100);
  /** The last text shown, for tests (a status item's text is not readable through the API). */
  text = '';
  /** What the item shows now: every lint updates it, and an unchanged item is not sent to the workbench again. */
  private shown?: { text: string; tooltip: string; error: boolean };

  constructor() {
    this.item.name = 'Postgres Preflight';
    this.item.command = 'workbench.actions.view.problems';
  }

  dispose(): void { this.item.dispose(); }

  hide(): void { this.item.hide(); this.text = ''; this.shown = undefined; }

  show(linted: Linted | undefined, target: string | undefined, loading: boolean, verdict?: string): void {
    const where = target ? `$(plug) ${target}${verdict ? ` · preflight ${verdict}` : ''}` : 'no target';
    let text: string;
    let tooltip: string;
    let error = false;
    if (loading || !linted) {
      text = `$(sync~spin) pg-preflight · ${where}`;
      tooltip = 'pg-preflight is loading its SQL parser';
    } else if (linted.error) {
      text = `$(error) pg-preflight · ${where}`;
      tooltip = `pg-preflight cannot lint this file: ${linted.error}`;
      error = true;
    } else if (linted.excluded) {
      text = `$(circle-slash) pg-preflight · ${where}`;
      tooltip = 'This file is excluded by .pgpreflight.json';
    } else {
      const f = linted.result?.findings ?? [];
      let errors = linted.result?.parseProblems.length ?? 0, warnings = 0, other = 0;
      for (const x of f) {
        if (x.severity === 'error') errors++;
        else if (x.severity === 'warning') warnings++;
        else other++;
      }
      const counts = errors + warnings + other === 0 ? '$(check)' : `$(error) ${errors} $(warning) ${warnings}${other ? ` $(info) ${other}` : ''}`;
      text = `$(database) pg-preflight ${counts} · ${where}`;
      const statements = linted.result?.statements.length ?? 0;
      tooltip = `pg-preflight: ${errors} error(s), ${warnings} warning(s), ${other} other finding(s) in ${statements} statement(s)\n` +
        (target ? `Target: ${target}${verdict ? `\nLast preflight: ${verdict}` : ''}` : 'No target database connected (Postgres Preflight: Connect…)');
    }
    this.text = text;
    const s = this.shown;
    if (s && s.text === text && s.tooltip === tooltip && s.error === error) return;
    this.shown = { text, tooltip, error };
    this.item.backgroundColor = error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }
}
