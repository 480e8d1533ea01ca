// The hook through which a connected target database will add live facts to the hover and the preflight: who holds
// or waits for locks on the statement's tables, table sizes, long transactions, replication lag. Until the inspector
// exists (the target-database issue), the only provider says nothing and the hover shows how to connect.
import type * as vscode from 'vscode';
import type { StatementInfo } from '../analyzer/analyze.js';

export interface LiveFact {
  /** What the fact is about: a relation (`public.articles`) or the whole target. */
  subject: string;
  /** One line of markdown: "3 sessions hold AccessShareLock (oldest 41 min)". */
  text: string;
  severity?: 'info' | 'warning' | 'error';
}

export interface LiveInfo {
  /** The target's display name (never a URL with a password). */
  target: string;
  /** When the snapshot was taken. */
  at: Date;
  facts: LiveFact[];
}

export interface LiveInfoProvider {
  /** The connected target's name, or undefined when none is connected. */
  readonly targetName: string | undefined;
  /** Live facts about the relations this statement locks; undefined when there is nothing to say (or no target). */
  liveInfo(statement: StatementInfo, document: vscode.TextDocument, token: vscode.CancellationToken): Promise<LiveInfo | undefined>;
}

/** The provider until a target can be connected: no target, no facts. */
export class NoLiveInfo implements LiveInfoProvider {
  readonly targetName = undefined;
  async liveInfo(): Promise<LiveInfo | undefined> { return undefined; }
}

export function liveMarkdown(info: LiveInfo | undefined, targetName: string | undefined): string {
  if (!info) {
    return targetName
      ? `*Live data from ${targetName}: nothing to report for these tables.*`
      : '*Live data: no target database connected.* [Connect…](command:pgPreflight.connect "Connect a target database")';
  }
  const lines = [`**Live** · ${info.target} · ${info.at.toLocaleTimeString()}`];
  for (const f of info.facts) lines.push(`- ${f.subject}: ${f.text}`);
  return lines.join('\n');
}
