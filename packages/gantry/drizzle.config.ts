import { defineConfig } from 'drizzle-kit';

// One set of SQL migrations serves PGlite and PostgreSQL. Regenerate with
// `npm run db:generate` after changing a *.tables.ts file; CI fails when the
// schema and the committed migrations disagree.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/features/**/*.tables.ts',
  out: './drizzle',
});
