// Which documents pg-preflight looks at. A document is linted when it is SQL (any of the language ids SQL extensions
// use for PostgreSQL) or when its path matches one of `pgPreflight.migrationGlobs`, whatever its language.
import * as vscode from 'vscode';
import { settings } from './settings.js';

export const SQL_LANGUAGES = ['sql', 'pgsql', 'postgres', 'postgresql', 'plpgsql'];
const SCHEMES = new Set(['file', 'untitled']);

/** A document pg-preflight lints. The brand keeps an unchecked TextDocument from reaching the linter. */
export type SqlDocument = vscode.TextDocument & { readonly __sqlDocument: unique symbol };

/** Globs as document filters: `**`-led globs match anywhere, others are relative to each workspace folder. */
export function migrationSelector(globs = settings().migrationGlobs): vscode.DocumentFilter[] {
  const out: vscode.DocumentFilter[] = [];
  for (const g of globs) {
    if (g.startsWith('**/') || g.startsWith('/')) { out.push({ pattern: g }); continue; }
    for (const f of vscode.workspace.workspaceFolders ?? []) out.push({ pattern: new vscode.RelativePattern(f, g) });
  }
  return out;
}

/** The selector the language features register for: SQL languages plus migration files by path. */
export function documentSelector(): vscode.DocumentFilter[] {
  return [
    ...SQL_LANGUAGES.flatMap((language) => [...SCHEMES].map((scheme) => ({ language, scheme }))),
    ...migrationSelector().filter((f) => f.pattern !== undefined).map((f) => ({ ...f, scheme: 'file' })),
  ];
}

export function isMigrationPath(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(migrationSelector(), doc) > 0;
}

export function isSqlDocument(doc: vscode.TextDocument): doc is SqlDocument {
  if (!SCHEMES.has(doc.uri.scheme)) return false;
  if (SQL_LANGUAGES.includes(doc.languageId)) return true;
  return doc.uri.scheme === 'file' && isMigrationPath(doc);
}
