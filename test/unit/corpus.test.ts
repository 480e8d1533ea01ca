// Every real migration of ../shared/corpus through analyze(): no exception, something to show for every file that has
// SQL in it, statement boundaries equal to PostgreSQL's own wherever PostgreSQL parses the whole file, and parse problems
// in exactly the files that are not valid PostgreSQL (a checked-in list, so a splitter regression shows up by name).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadModule, parseSync } from 'libpg-query';
import { loadParser } from '../../src/analyzer/parse.js';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../src/analyzer/analyze.js';
import { listSqlFiles, CORPUS } from './support.js';

// PG_PREFLIGHT_CORPUS overrides the location (to try the test against another copy).

/** Prisma-generated sources: every file is a Prisma Migrate migration.sql. */
const PRISMA_SOURCES = ['trigger.dev', 'documenso', 'formbricks', 'langfuse', 'inbox-zero'];

/** Not PostgreSQL at all: PostgreSQL itself rejects them. */
const INVALID = [
  'hatchet/cmd/hatchet-migrate/migrate/migrations/20250519145912_v1_0_21.sql', // missing `;` between two ALTER TABLEs
  'ory-hydra/persistence/sql/migrations/20241609000001000000_device_flow.autocommit.up.sql', // MySQL inline INDEX
  'synapse/synapse/storage/schema/main/delta/12/v12.sql', // SQLite AUTOINCREMENT, MySQL UNSIGNED
  'synapse/synapse/storage/schema/main/delta/14/v14.sql', // SQLite AUTOINCREMENT
  'synapse/synapse/storage/schema/main/delta/16/users.sql', // MySQL UNSIGNED
  'synapse/synapse/storage/schema/main/delta/54/account_validity_with_renewal.sql', // missing `;` between two CREATE INDEXes
];

/** Templates, filled in by the application before they reach PostgreSQL. */
const TEMPLATED = [
  'synapse/synapse/storage/schema/main/delta/87/02_per_connection_state.sql', // $%AUTO_INCREMENT_PRIMARY_KEY%$
  'synapse/synapse/storage/schema/state/delta/89/01_state_groups_deletion.sql', // $%AUTO_INCREMENT_PRIMARY_KEY%$
  // Go text/template: {{ index .Options "Namespace" }}.table
  ...[
    '00_init_auth_schema.up.sql',
    '20210710035447_alter_users.up.sql',
    '20210722035447_adds_confirmed_at.up.sql',
    '20210730183235_add_email_change_confirmed.up.sql',
    '20210909172000_create_identities_table.up.sql',
    '20210927181326_add_refresh_token_parent.up.sql',
    '20211122151130_create_user_id_idx.up.sql',
    '20211124214934_update_auth_functions.up.sql',
    '20211202183645_update_auth_uid.up.sql',
    '20220114185221_update_user_idx.up.sql',
    '20220114185340_add_banned_until.up.sql',
    '20220224000811_update_auth_functions.up.sql',
    '20220323170000_add_user_reauthentication.up.sql',
    '20220429102000_add_unique_idx.up.sql',
    '20220531120530_add_auth_jwt_function.up.sql',
    '20220614074223_add_ip_address_to_audit_log.postgres.up.sql',
    '20220811173540_add_sessions_table.up.sql',
    '20221003041349_add_mfa_schema.up.sql',
    '20221003041400_add_aal_and_factor_id_to_sessions.up.sql',
    '20221011041400_add_mfa_indexes.up.sql',
    '20221020193600_add_sessions_user_id_index.up.sql',
    '20221021073300_add_refresh_tokens_session_id_revoked_index.up.sql',
    '20221021082433_add_saml.up.sql',
    '20221027105023_add_identities_user_id_idx.up.sql',
    '20221114143122_add_session_not_after_column.up.sql',
    '20221114143410_remove_parent_foreign_key_refresh_tokens.up.sql',
    '20221215195500_modify_users_email_unique_index.up.sql',
    '20221215195800_add_identities_email_column.up.sql',
    '20221215195900_remove_sso_sessions.up.sql',
    '20230116124412_add_deleted_at.up.sql',
    '20230322519590_add_flow_state_table.up.sql',
    '20230402418590_add_authentication_method_to_flow_state_table.up.sql',
    '20230411005111_remove_duplicate_idx.up.sql',
    '20230508135423_add_cleanup_indexes.up.sql',
    '20230523124323_add_mfa_challenge_cleanup_index.up.sql',
    '20230818113222_add_flow_state_to_relay_state.up.sql',
    '20230914180801_add_mfa_factors_user_id_idx.up.sql',
    '20231027141322_add_session_refresh_columns.up.sql',
    '20231114161723_add_sessions_tag.up.sql',
    '20231117164230_add_id_pkey_identities.up.sql',
    '20240729123726_add_mfa_phone_config.up.sql',
    '20240802193726_add_mfa_factors_column_last_challenged_at.up.sql',
    '20240806073726_drop_uniqueness_constraint_on_phone.up.sql',
    '20241009103726_add_web_authn.up.sql',
    '20250731150234_add_oauth_clients_table.up.sql',
    '20250804100000_add_oauth_authorizations_consents.up.sql',
    '20250901200500_add_oauth_client_type.up.sql',
    '20250903112500_remove_oauth_client_id_column.up.sql',
    '20250904133000_add_oauth_client_id_to_session.up.sql',
    '20250925093508_add_last_webauthn_challenge_data.up.sql',
    '20251007112900_add_session_refresh_token_columns.up.sql',
    '20251104100000_add_nonce_to_oauth_authorizations.up.sql',
    '20251111201300_add_scopes_to_sessions.up.sql',
    '20251201000000_add_oauth_client_states_table.up.sql',
    '20260115000000_add_flow_state_oauth_context.up.sql',
    '20260121000000_add_token_endpoint_auth_method.up.sql',
    '20260219120000_add_custom_oauth_providers.up.sql',
    '20260302000000_add_passkeys.up.sql',
    '20260625000000_add_custom_claims_allowlist.up.sql',
  ].map((f) => `supabase-auth/migrations/${f}`),
];

const EXPECTED_WITH_PARSE_PROBLEMS = [...INVALID, ...TEMPLATED].sort();


function requireCorpus(): void {
  assert.ok(existsSync(CORPUS), `The migration corpus is missing: expected it at ${CORPUS} (../shared/corpus beside the repository). ` +
    'CI always checks it out there; locally, put the shared corpus beside the repository to run this test.');
}

interface Entry { rel: string; text: string; result?: AnalysisResult; error?: unknown; pg?: ReturnType<typeof postgresStatements> }

function analyzeAll(filter: (rel: string) => boolean, options: AnalyzeOptions): Entry[] {
  requireCorpus();
  return listSqlFiles(CORPUS).sort().map((f) => relative(CORPUS, f).split('\\').join('/')).filter(filter).map((rel) => {
    const text = readFileSync(join(CORPUS, rel), 'utf8');
    try {
      return { rel, text, result: analyze(text, { ...options, path: rel }) };
    } catch (error) {
      return { rel, text, error };
    }
  });
}

/** What PostgreSQL's own parser makes of the whole file: its statements, 'empty', or 'error'. */
function pgOf(e: Entry): ReturnType<typeof postgresStatements> {
  return (e.pg ??= postgresStatements(e.text));
}
function postgresStatements(text: string): Array<{ from: number; to: number }> | 'empty' | 'error' {
  try {
    const stmts = (parseSync(text) as { stmts?: Array<{ stmt_location?: number; stmt_len?: number }> }).stmts ?? [];
    if (!stmts.length) return 'empty';
    const bytes = Buffer.from(text, 'utf8');
    const utf16 = (b: number) => bytes.subarray(0, b).toString('utf8').length;
    return stmts.map((s) => {
      const loc = s.stmt_location ?? 0;
      return { from: utf16(loc), to: s.stmt_len ? utf16(loc + s.stmt_len) : text.length };
    });
  } catch (err) {
    return String((err as Error)?.message) === 'Query cannot be empty' ? 'empty' : 'error';
  }
}

describe('corpus', () => {
  let all: Entry[] = [];
  before(async () => {
    await loadParser();
    await loadModule();
    if (existsSync(CORPUS)) all = analyzeAll(() => true, {});
  });

  it('is present beside the repository', () => {
    requireCorpus();
    assert.ok(all.length > 4000, `expected about 4,400 .sql files in ${CORPUS}, found ${all.length}`);
  });

  it('analyze() never throws and always returns arrays (default options)', () => {
    requireCorpus();
    const thrown = all.filter((e) => e.error).map((e) => `${e.rel}: ${String((e.error as Error)?.stack ?? e.error)}`);
    assert.deepEqual(thrown, []);
    for (const { rel, result } of all) {
      assert.ok(Array.isArray(result!.statements) && Array.isArray(result!.findings) && Array.isArray(result!.parseProblems), rel);
    }
  });

  it('no rule throws on a corpus file (no internalError finding)', () => {
    requireCorpus();
    const internal = all.flatMap((e) => (e.result?.findings ?? []).filter((f) => f.messageId === 'internalError').map((f) => `${e.rel}: ${f.message}`));
    assert.deepEqual(internal.slice(0, 20), [], `${internal.length} internal errors`);
  });

  it('every file with SQL in it yields statements, findings or parse problems', () => {
    requireCorpus();
    const silent = all.filter((e) => {
      const r = e.result!;
      return r.statements.length === 0 && r.findings.length === 0 && r.parseProblems.length === 0 && pgOf(e) !== 'empty';
    }).map((e) => e.rel);
    assert.deepEqual(silent, []);
    // And the files that yield nothing are exactly the empty / comment-only ones.
    const empty = all.filter((e) => pgOf(e) === 'empty');
    assert.ok(empty.length > 0);
    for (const e of empty) assert.equal(e.result!.statements.length + e.result!.parseProblems.length, 0, e.rel);
  });

  it('where PostgreSQL parses the whole file, the statements are PostgreSQL\'s own, with no parse problem', () => {
    requireCorpus();
    const wrong: string[] = [];
    for (const e of all) {
      const { rel, text, result } = e;
      const pg = pgOf(e);
      if (pg === 'empty' || pg === 'error') continue;
      const ours = result!.statements;
      if (ours.length !== pg.length || result!.parseProblems.length) {
        wrong.push(`${rel}: PostgreSQL sees ${pg.length} statements, we see ${ours.length} and ${result!.parseProblems.length} parse problems`);
        continue;
      }
      // Our statement (without leading comments, with its `;`) lies inside PostgreSQL's (leading comments included).
      ours.forEach((s, i) => {
        const next = pg[i + 1]?.from ?? text.length;
        if (s.start < pg[i].from || s.start >= pg[i].to || s.end > next) wrong.push(`${rel}: statement ${i} at ${s.start}–${s.end}, PostgreSQL ${pg[i].from}–${pg[i].to}`);
      });
    }
    assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} mismatches`);
  });

  it('parse problems are reported in exactly the invalid and templated files', () => {
    requireCorpus();
    const withProblems = all.filter((e) => e.result!.parseProblems.length > 0).map((e) => e.rel).sort();
    assert.deepEqual(withProblems, EXPECTED_WITH_PARSE_PROBLEMS);
    // The checked-in list is right: PostgreSQL rejects every one of these files as a whole.
    for (const rel of EXPECTED_WITH_PARSE_PROBLEMS) {
      const entry = all.find((e) => e.rel === rel);
      assert.ok(entry, `${rel} is missing from the corpus`);
      assert.equal(pgOf(entry), 'error', `${rel} parses as a whole: remove it from the expected list`);
    }
  });

  it('parse problems carry a message and a range inside the file', () => {
    requireCorpus();
    for (const { rel, text, result } of all) {
      const lines = text.split('\n');
      for (const p of result!.parseProblems) {
        assert.ok(p.message.length > 0, rel);
        for (const pos of [p.range.start, p.range.end]) {
          assert.ok(pos.line >= 0 && pos.line < lines.length, `${rel}: line ${pos.line}`);
          assert.ok(pos.character >= 0 && pos.character <= lines[pos.line].length, `${rel}: ${pos.line}:${pos.character}`);
        }
      }
    }
  });

  it('Prisma sources analysed with runner \'prisma\': no exception, one implicit transaction per multi-statement file', () => {
    requireCorpus();
    const prisma = analyzeAll((rel) => PRISMA_SOURCES.includes(rel.split('/')[0]), { runner: 'prisma' });
    assert.ok(prisma.length > 1500, `expected the Prisma sources, found ${prisma.length} files`);
    const thrown = prisma.filter((e) => e.error).map((e) => `${e.rel}: ${String((e.error as Error)?.stack ?? e.error)}`);
    assert.deepEqual(thrown, []);
    const byRel = new Map(all.map((e) => [e.rel, e.result!]));
    let multi = 0;
    for (const { rel, result } of prisma) {
      const r = result!;
      assert.deepEqual(r.parseProblems, [], rel);
      assert.equal(r.statements.length, byRel.get(rel)!.statements.length, `${rel}: the runner must not change the statements`);
      assert.equal(r.file.implicitTransaction, 'multi-statement', rel);
      if (r.statements.some((s) => s.kind === 'TransactionStmt')) continue;
      if (r.statements.length > 1) {
        multi++;
        assert.ok(r.statements.every((s) => s.inTransaction && s.implicitTransaction && s.transactionId === r.statements[0].transactionId && s.transactionId >= 0), `${rel}: not one implicit transaction`);
      } else if (r.statements.length === 1) {
        assert.equal(r.statements[0].inTransaction, false, `${rel}: a single-statement migration runs outside a transaction`);
      }
    }
    assert.ok(multi > 500, `expected many multi-statement Prisma migrations, found ${multi}`);
  });
});
