import rule from '../../../../src/analyzer/rules/require-index-for-foreign-key.js';
import { testRule } from '../../../support/rule-tester.js';

testRule(rule, {
  schema: [
    'CREATE TABLE users (id bigint PRIMARY KEY);',
    'CREATE TABLE articles (id bigint PRIMARY KEY, author_id bigint, editor_id bigint, tenant_id bigint);',
    'CREATE INDEX articles_author_idx ON articles (author_id, id);',
    'CREATE INDEX articles_editor_partial ON articles (editor_id) WHERE editor_id IS NOT NULL;',
    'CREATE SCHEMA app; CREATE TABLE app."Jobs" (id int, "Owner" bigint, tenant_id bigint, user_id bigint);',
    'CREATE INDEX jobs_tenant_user ON app."Jobs" (user_id, tenant_id);',
  ].join('\n'),
  valid: [
    { name: 'referencing column leads an existing index', sql: 'ALTER TABLE articles ADD CONSTRAINT articles_author_fk FOREIGN KEY (author_id) REFERENCES users NOT VALID;' },
    { name: 'composite key covered by an index in another column order', sql: 'ALTER TABLE app."Jobs" ADD FOREIGN KEY (tenant_id, user_id) REFERENCES tenants_users (tenant_id, user_id);' },
    { name: 'index created earlier in the migration', sql: 'CREATE INDEX CONCURRENTLY articles_tenant_idx ON articles (tenant_id);\nALTER TABLE articles ADD FOREIGN KEY (tenant_id) REFERENCES tenants;' },
    { name: 'new table whose index follows in the same migration', sql: 'CREATE TABLE comments (id bigint PRIMARY KEY, article_id bigint REFERENCES articles);\nCREATE INDEX comments_article_idx ON comments (article_id);' },
    { name: 'foreign key on the primary key column', sql: 'CREATE TABLE profiles (user_id bigint PRIMARY KEY REFERENCES users);' },
    { name: 'referencing table unknown to the schema model: skipped', sql: 'ALTER TABLE legacy ADD FOREIGN KEY (user_id) REFERENCES users;' },
  ],
  invalid: [
    {
      name: 'ALTER TABLE … ADD FOREIGN KEY without an index',
      sql: 'ALTER TABLE articles ADD CONSTRAINT articles_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id);',
      errors: [{ messageId: 'unindexedForeignKey', line: 1, column: 26, message: 'articles_tenant_fk from public.articles (tenant_id) to public.tenants' }],
    },
    {
      name: 'a partial index does not count; NOT VALID in an explicit transaction',
      sql: 'BEGIN;\nALTER TABLE articles ADD FOREIGN KEY (editor_id) REFERENCES users NOT VALID;\nCOMMIT;', pgVersion: 13,
      errors: [{ messageId: 'unindexedForeignKey', line: 2, message: 'articles_editor_id_fkey' }],
    },
    {
      name: 'CREATE TABLE with a column REFERENCES and a table constraint, after a comment',
      sql: '-- tags\nCREATE TABLE tags (\n  id bigint PRIMARY KEY,\n  article_id bigint REFERENCES articles,\n  user_id bigint,\n  CONSTRAINT tags_user_fk FOREIGN KEY (user_id) REFERENCES users\n);',
      errors: [
        { messageId: 'unindexedForeignKey', line: 4, column: 21, message: 'tags_article_id_fkey' },
        { messageId: 'unindexedForeignKey', line: 6, column: 3, message: 'tags_user_fk' },
      ],
    },
    {
      name: 'ADD COLUMN … REFERENCES, quoted, schema-qualified, mixed case',
      sql: 'SELECT 1;\nalter table App."Jobs" add column "Reviewer" bigint references Users;', pgVersion: 18,
      errors: [{ messageId: 'unindexedForeignKey', line: 2, message: 'app."Jobs" ("Reviewer")' }],
    },
    {
      name: 'an index that only starts with part of the key does not cover it; index dropped later does not count',
      sql: 'ALTER TABLE app."Jobs" ADD FOREIGN KEY (user_id, "Owner") REFERENCES owners;\nALTER TABLE articles ADD FOREIGN KEY (author_id) REFERENCES users;\nDROP INDEX CONCURRENTLY articles_author_idx;',
      errors: [
        { messageId: 'unindexedForeignKey', line: 1, message: '(user_id, "Owner")' },
        { messageId: 'unindexedForeignKey', line: 2, message: 'public.articles (author_id)' },
      ],
    },
  ],
});
