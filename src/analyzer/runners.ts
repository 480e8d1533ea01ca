// How migration runners wrap a migration file in a transaction. This decides whether CREATE INDEX CONCURRENTLY
// fails, whether locks are held until the end of the file, and whether BEGIN/COMMIT in the file nest.

export type RunnerName = 'psql' | 'flyway' | 'golang-migrate' | 'prisma' | 'node-pg-migrate' | 'rails' | 'django' | 'alembic' | 'sqitch' | 'liquibase';

export interface RunnerPreset {
  name: RunnerName;
  /**
   * 'none': each statement commits on its own unless the file says BEGIN.
   * 'file': the runner wraps the whole file in one transaction.
   * 'multi-statement': the file is sent as one query string, which PostgreSQL runs as one implicit transaction when it
   *   holds more than one statement (a single-statement file runs outside any transaction).
   */
  implicitTransaction: 'none' | 'file' | 'multi-statement';
  description: string;
  /** How a migration opts out of the runner's transaction, for help texts. */
  nonTransactionalHint: string;
}

export const RUNNERS: Record<RunnerName, RunnerPreset> = {
  psql: {
    name: 'psql', implicitTransaction: 'none',
    description: 'psql -f (autocommit; add --single-transaction to wrap the file)',
    nonTransactionalHint: 'keep the statement outside BEGIN … COMMIT',
  },
  flyway: {
    name: 'flyway', implicitTransaction: 'file',
    description: 'Flyway runs each versioned migration in one transaction',
    nonTransactionalHint: 'put it in its own migration with a script config file containing executeInTransaction=false',
  },
  'golang-migrate': {
    name: 'golang-migrate', implicitTransaction: 'multi-statement',
    description: 'golang-migrate sends the whole file as one multi-statement query (one implicit transaction)',
    nonTransactionalHint: 'put it alone in its own migration file (a single-statement file runs outside a transaction)',
  },
  prisma: {
    name: 'prisma', implicitTransaction: 'multi-statement',
    description: 'Prisma Migrate sends migration.sql as one multi-statement script (one implicit transaction)',
    nonTransactionalHint: 'put it alone in its own migration.sql',
  },
  'node-pg-migrate': {
    name: 'node-pg-migrate', implicitTransaction: 'file',
    description: 'node-pg-migrate wraps each migration in a transaction',
    nonTransactionalHint: 'call pgm.noTransaction() in that migration',
  },
  rails: {
    name: 'rails', implicitTransaction: 'file',
    description: 'Rails runs each migration inside a DDL transaction',
    nonTransactionalHint: 'add disable_ddl_transaction! to that migration',
  },
  django: {
    name: 'django', implicitTransaction: 'file',
    description: 'Django runs each migration atomically on PostgreSQL',
    nonTransactionalHint: 'set atomic = False on that migration',
  },
  alembic: {
    name: 'alembic', implicitTransaction: 'file',
    description: 'Alembic runs migrations in a transaction on PostgreSQL (transactional_ddl)',
    nonTransactionalHint: 'run it in an autocommit block: with op.get_context().autocommit_block():',
  },
  sqitch: {
    name: 'sqitch', implicitTransaction: 'none',
    description: 'Sqitch deploy scripts manage their own BEGIN/COMMIT',
    nonTransactionalHint: 'leave out BEGIN/COMMIT in that deploy script',
  },
  liquibase: {
    name: 'liquibase', implicitTransaction: 'file',
    description: 'Liquibase runs each changeset in a transaction',
    nonTransactionalHint: 'set runInTransaction:false on that changeset',
  },
};

export function isRunnerName(s: string): s is RunnerName {
  return Object.prototype.hasOwnProperty.call(RUNNERS, s);
}
