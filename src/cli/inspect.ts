// `pg-preflight inspect`: one read-only snapshot of a live database, as text or JSON. Exit 0 with a snapshot, 2 with
// one line when the target cannot be reached or refuses (or the options are wrong). Never prints a password.
import os from 'node:os';
import type { Io } from './main.js';
import { walkArgs } from './args.js';
import { makeStyle } from './text.js';
import { isSslMode, redact, resolveTarget, secretsOf, TargetError, type SslMode, type Target } from '../inspector/connection.js';
import { formatSnapshotText } from '../inspector/format-text.js';
import { inspectOnce } from '../inspector/inspector.js';

export const INSPECT_HELP = `Usage: pg-preflight inspect [--db URL] [--format text|json] [options]

Takes one read-only snapshot of a live PostgreSQL database: blocking tree, lock queues, backups, vacuums,
wraparound, xmin horizon, dead tuples, invalid indexes, connections.

Options:
  --db URL|CONNINFO        postgres://user@host:port/db?sslmode=… or "host=… dbname=…"
                           (default: $DATABASE_URL, then the PG* variables, ~/.pgpass and the service file)
  --format text|json       output format (default text)
  --name NAME              the target's display name (default: the URL without its password)
  --sslmode MODE           disable, allow, prefer (default), require, verify-ca, verify-full

The session is read-only (default_transaction_read_only=on) with lock_timeout 1s and statement_timeout 5s, and
uses application_name=pg-preflight. Use a role with pg_monitor (and pg_use_reserved_connections on 16+).

Exit status: 0 snapshot printed, 2 the target cannot be reached or refuses, or a usage error.`;

interface InspectArgs {
  db?: string;
  format: 'text' | 'json';
  name?: string;
  sslmode?: SslMode;
  help: boolean;
}

class InspectUsageError extends Error {}

function parseArgs(argv: string[]): InspectArgs {
  const a: InspectArgs = { format: 'text', help: false };
  walkArgs(argv, (m) => new InspectUsageError(m), (arg, take) => {
    switch (arg) {
      case '--db': case '--url': a.db = take(); break;
      case '--format': {
        const v = take();
        if (v !== 'text' && v !== 'json') throw new InspectUsageError(`--format must be text or json, got "${v}"`);
        a.format = v;
        break;
      }
      case '--name': a.name = take(); break;
      case '--sslmode': {
        const v = take();
        if (!isSslMode(v)) throw new InspectUsageError(`--sslmode must be disable, allow, prefer, require, verify-ca or verify-full, got "${v}"`);
        a.sslmode = v;
        break;
      }
      case '--help': case '-h': a.help = true; break;
      default:
        throw new InspectUsageError(`unknown option ${arg} (see pg-preflight inspect --help)`);
    }
  });
  return a;
}

export async function inspectCommand(argv: string[], io: Io): Promise<number> {
  // Whatever goes wrong, the message is redacted: argv itself may carry a password.
  const secrets: (string | undefined)[] = [];
  const say = (s: string) => io.stderr(`pg-preflight inspect: ${redact(s, secrets)}\n`);
  let args: InspectArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    say((e as Error).message);
    return 2;
  }
  if (args.help) { io.stdout(INSPECT_HELP + '\n'); return 0; }

  let target: Target;
  try {
    target = resolveTarget({ db: args.db, name: args.name, sslmode: args.sslmode },
      { env: io.env, homeDir: io.env.HOME ?? os.homedir() });
  } catch (e) {
    say(e instanceof TargetError ? e.message : `invalid connection options: ${(e as Error).message}`);
    return 2;
  }
  secrets.push(...secretsOf(target));
  try {
    const r = await inspectOnce(target);
    if (!r.ok) {
      say(`cannot inspect ${target.name}: ${r.error.message}`);
      return 2;
    }
    const text = args.format === 'json'
      ? JSON.stringify(r.value, null, 2) + '\n'
      : formatSnapshotText(r.value, makeStyle(io.isTTY && !io.env.NO_COLOR));
    // Query texts of other sessions may carry URLs with passwords (dblink, COPY … PROGRAM): scrub those too.
    io.stdout(redact(text));
    return 0;
  } catch (e) {
    // A bug, not a database problem; still one line, still redacted.
    say(`internal error: ${String((e as Error)?.message ?? e)} (please report this)`);
    return 2;
  }
}
