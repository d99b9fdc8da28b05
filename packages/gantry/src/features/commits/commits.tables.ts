import { index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';

/**
 * Every commit a push reported, once per repository (its identity, see
 * repositoryIdentity()), whichever services it touches: the parent links
 * must stay whole for the walk from one production release's commit back to
 * the previous one, even across commits outside a service's paths.
 */
export const sourceCommits = pgTable(
  'source_commits',
  {
    repository: text('repository').notNull(),
    sha: text('sha').notNull(),
    committedAt: timestamptz('committed_at').notNull(),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    title: text('title').notNull(),
    /** The commit before it in its push; null when the provider did not say. 40 zeros: none (a new branch). */
    parentSha: text('parent_sha'),
    /** Paths the commit changed; empty when the provider did not say. */
    paths: jsonb('paths').$type<string[]>().notNull(),
    recordedAt: timestamptz('recorded_at').notNull().defaultNow(),
  },
  // The primary key serves the parent walk: each step looks one (repository, sha) up.
  (table) => [primaryKey({ columns: [table.repository, table.sha] })],
);

/**
 * The commits that count for a service: its repository matches and, in a
 * monorepo, one of the commit's paths matches the service's `source.paths`
 * (a commit whose paths are unknown counts for every service of the
 * repository). Written by the commit recorder (commit-recorder.ts).
 */
export const serviceCommits = pgTable(
  'service_commits',
  {
    service: text('service').notNull(),
    sha: text('sha').notNull(),
    repository: text('repository').notNull(),
    committedAt: timestamptz('committed_at').notNull(),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    recordedAt: timestamptz('recorded_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.service, table.sha] }),
    index('service_commits_repository_sha_idx').on(table.repository, table.sha),
  ],
);
