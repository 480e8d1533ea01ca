import { defineRule } from '../rule.js';
import { qualifyList, stringList } from '../names.js';
import type { Node } from '../parse.js';

// A CHECK on a domain is checked for every column of that type in every table: adding or validating one scans them
// all under SHARE lock (writes wait), and it cannot be changed table by table (squawk's ban-create-domain-with-constraint
// and ban-alter-domain-with-add-constraint).
export default defineRule({
  id: 'ban-domain-check-constraint',
  summary: 'Ban CHECK constraints on domains',
  category: 'locking',
  defaultSeverity: 'warning',
  kinds: ['CreateDomainStmt', 'AlterDomainStmt'],
  messages: {
    createDomainCheck:
      'CREATE DOMAIN {{domain}} has a CHECK constraint: every later change to it (ALTER DOMAIN … ADD CONSTRAINT) checks every column of type {{domain}} in every table under SHARE lock, blocking writes to all of them for the whole scan, and it cannot be changed one table at a time.',
    alterDomainAddConstraint:
      'ALTER DOMAIN {{domain}} ADD CONSTRAINT checks every column of type {{domain}} in every table{{tables}} under SHARE lock: INSERT, UPDATE and DELETE on those tables wait until all of them have been scanned.',
  },
  help: {
    createDomainCheck:
      'Put the CHECK on the columns instead (CREATE TABLE … CHECK (…), or on an existing table ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT VALID followed by VALIDATE CONSTRAINT), so each table can be changed on its own without blocking writes.',
    alterDomainAddConstraint:
      'Add the constraint with NOT VALID (it then only checks new values), or put a CHECK … NOT VALID on each table\'s column and VALIDATE CONSTRAINT it (SHARE UPDATE EXCLUSIVE: reads and writes go on).',
  },
  check(ctx) {
    const n = ctx.node;
    if (ctx.kind === 'CreateDomainStmt') {
      const check = (n.constraints ?? []).map((c: Node) => c.Constraint).find((c: Node | undefined) => c?.contype === 'CONSTR_CHECK');
      if (!check) return;
      const domain = qualifyList(stringList(n.domainname));
      ctx.report('createDomainCheck', { domain }, { range: ctx.rangeOf(/\b(?:constraint\s+(?:"(?:[^"]|"")*"|[\w$]+)\s+)?check\b/i) ?? ctx.stmt.range });
    } else if (ctx.kind === 'AlterDomainStmt' && n.subtype === 'C') {
      const con = n.def?.Constraint;
      if (!con || con.skip_validation) return;
      const domain = qualifyList(stringList(n.typeName));
      if (ctx.schema.getType(domain)?.createdInMigration) return;
      const tables = ctx.stmt.locks.filter((l) => !l.createdInMigration).map((l) => l.relation);
      ctx.report('alterDomainAddConstraint', { domain, tables: tables.length ? ` (${tables.join(', ')})` : '' }, {
        range: ctx.rangeOf(/\badd\s+(?:constraint|check|not\s+null)\b/i) ?? ctx.stmt.range,
      });
    }
  },
});
