// The one list of rules. Rule ids, the CLI's --list-rules, the docs inventory and the settings enum derive from it.
import type { Rule } from './rule.js';

// Each line imports one rule module from ./rules/<id>.ts. 
import requireConcurrentIndexCreation from './rules/require-concurrent-index-creation.js';
// imports: group A
import banAddColumnVolatileDefault from './rules/ban-add-column-volatile-default.js';
import requireDefaultForNotNullColumn from './rules/require-default-for-not-null-column.js';
import banAddGeneratedStoredColumn from './rules/ban-add-generated-stored-column.js';
import banAddSerialOrIdentityColumn from './rules/ban-add-serial-or-identity-column.js';
import banAlterColumnType from './rules/ban-alter-column-type.js';
import requireCheckBeforeSetNotNull from './rules/require-check-before-set-not-null.js';
import requireNotValidCheck from './rules/require-not-valid-check.js';
import requireNotValidForeignKey from './rules/require-not-valid-foreign-key.js';
import preferUniqueIndexForUniqueConstraint from './rules/prefer-unique-index-for-unique-constraint.js';
import preferIndexForPrimaryKey from './rules/prefer-index-for-primary-key.js';
import banAddExclusionConstraint from './rules/ban-add-exclusion-constraint.js';
import banRewriteTableStorage from './rules/ban-rewrite-table-storage.js';
import requireCheckBeforeAttachPartition from './rules/require-check-before-attach-partition.js';
import requireConcurrentPartitionDetach from './rules/require-concurrent-partition-detach.js';
import banValidateInSameTransaction from './rules/ban-validate-in-same-transaction.js';
// imports: group B
import requireConcurrentIndexDeletion from './rules/require-concurrent-index-deletion.js';
import banConcurrentInTransaction from './rules/ban-concurrent-in-transaction.js';
import banCreateIndexConcurrentlyIfNotExists from './rules/ban-create-index-concurrently-if-not-exists.js';
import requireIndexSwapOrder from './rules/require-index-swap-order.js';
import requireConcurrentReindex from './rules/require-concurrent-reindex.js';
import preferRepack from './rules/prefer-repack.js';
import requireConcurrentMatviewRefresh from './rules/require-concurrent-matview-refresh.js';
import requirePartitionIndexPerPartition from './rules/require-partition-index-per-partition.js';
import banDropColumn from './rules/ban-drop-column.js';
import banDropTable from './rules/ban-drop-table.js';
import banDropDatabase from './rules/ban-drop-database.js';
import banDropNotNull from './rules/ban-drop-not-null.js';
import banTruncate from './rules/ban-truncate.js';
import banRenameColumn from './rules/ban-rename-column.js';
import banRenameTable from './rules/ban-rename-table.js';
import requireIndexForForeignKey from './rules/require-index-for-foreign-key.js';
// imports: group C
import requireLockTimeout from './rules/require-lock-timeout.js';
import requireStatementTimeout from './rules/require-statement-timeout.js';
import banStatementsAfterAccessExclusive from './rules/ban-statements-after-access-exclusive.js';
import banMultipleStrongLocksInTransaction from './rules/ban-multiple-strong-locks-in-transaction.js';
import banTransactionNesting from './rules/ban-transaction-nesting.js';
import banUncommittedTransaction from './rules/ban-uncommitted-transaction.js';
import banBackfillInDdlTransaction from './rules/ban-backfill-in-ddl-transaction.js';
import preferCreateOrReplaceTrigger from './rules/prefer-create-or-replace-trigger.js';
import preferJsonb from './rules/prefer-jsonb.js';
import preferBigint from './rules/prefer-bigint.js';
import preferIdentity from './rules/prefer-identity.js';
import preferTextField from './rules/prefer-text-field.js';
import banCharType from './rules/ban-char-type.js';
import preferTimestamptz from './rules/prefer-timestamptz.js';
import requireEnumValueOrdering from './rules/require-enum-value-ordering.js';
import banIdentifierTooLong from './rules/ban-identifier-too-long.js';
import banDomainCheckConstraint from './rules/ban-domain-check-constraint.js';
import preferRobustStatements from './rules/prefer-robust-statements.js';
import requireTableSchema from './rules/require-table-schema.js';

export const allRules: readonly Rule<any>[] = [
  requireConcurrentIndexCreation,
  // rules: group A
  banAddColumnVolatileDefault,
  requireDefaultForNotNullColumn,
  banAddGeneratedStoredColumn,
  banAddSerialOrIdentityColumn,
  banAlterColumnType,
  requireCheckBeforeSetNotNull,
  requireNotValidCheck,
  requireNotValidForeignKey,
  preferUniqueIndexForUniqueConstraint,
  preferIndexForPrimaryKey,
  banAddExclusionConstraint,
  banRewriteTableStorage,
  requireCheckBeforeAttachPartition,
  requireConcurrentPartitionDetach,
  banValidateInSameTransaction,
  // rules: group B
  requireConcurrentIndexDeletion,
  banConcurrentInTransaction,
  banCreateIndexConcurrentlyIfNotExists,
  requireIndexSwapOrder,
  requireConcurrentReindex,
  preferRepack,
  requireConcurrentMatviewRefresh,
  requirePartitionIndexPerPartition,
  banDropColumn,
  banDropTable,
  banDropDatabase,
  banDropNotNull,
  banTruncate,
  banRenameColumn,
  banRenameTable,
  requireIndexForForeignKey,
  // rules: group C
  requireLockTimeout,
  requireStatementTimeout,
  banStatementsAfterAccessExclusive,
  banMultipleStrongLocksInTransaction,
  banTransactionNesting,
  banUncommittedTransaction,
  banBackfillInDdlTransaction,
  preferCreateOrReplaceTrigger,
  preferJsonb,
  preferBigint,
  preferIdentity,
  preferTextField,
  banCharType,
  preferTimestamptz,
  requireEnumValueOrdering,
  banIdentifierTooLong,
  banDomainCheckConstraint,
  preferRobustStatements,
  requireTableSchema,
];

export function ruleById(id: string): Rule<any> | undefined {
  return allRules.find((r) => r.id === id);
}
