#!/usr/bin/env node
// Fails when the Drizzle schema (src/features/**/*.tables.ts) has changed but
// no migration was generated for it.
//
// `drizzle-kit check` only says whether the committed migrations agree with
// each other; it does not compare them with the schema. So we run
// `drizzle-kit generate` into a temporary copy of drizzle/ and fail if it
// wrote or changed anything. The real drizzle/ folder is never touched.
//
// Run from packages/gantry, as `npm run db:check` does.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_DIR = process.cwd();
const CONFIG_PATH = join(PACKAGE_DIR, 'drizzle.config.ts');
const MIGRATIONS_DIR = join(PACKAGE_DIR, 'drizzle');
const TIMEOUT_MS = 120_000;
const FIX = 'run npm run db:generate and commit drizzle/';

class DriftError extends Error {}

/**
 * Relative path → sha256 of the content, for every file below the folder.
 * @param {string} folder
 * @returns {Map<string, string>}
 */
function fingerprint(folder) {
  /** @type {Map<string, string>} */
  const files = new Map();
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(folder, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(folder);
  return files;
}

/**
 * @param {string} path
 * @returns {{ bin?: string | Record<string, string> }}
 */
function readManifest(path) {
  /** @type {unknown} */
  const value = JSON.parse(readFileSync(path, 'utf8'));
  return typeof value === 'object' && value !== null ? value : {};
}

/**
 * The drizzle-kit CLI script installed at the repository root.
 * @returns {string}
 */
function drizzleKitBin() {
  const manifestPath = join(REPO_ROOT, 'node_modules', 'drizzle-kit', 'package.json');
  if (!existsSync(manifestPath)) {
    throw new DriftError(
      `drizzle-kit is not installed in ${join(REPO_ROOT, 'node_modules')}: run npm ci first`,
    );
  }
  const manifest = readManifest(manifestPath);
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['drizzle-kit'];
  if (!bin) throw new DriftError(`drizzle-kit in ${dirname(manifestPath)} declares no drizzle-kit command`);
  return join(dirname(manifestPath), bin);
}

/**
 * execFile with an argument array and no stdin; never rejects.
 * @param {string} file
 * @param {string[]} args
 * @param {import('node:child_process').ExecFileOptions} options
 * @returns {Promise<{ error: import('node:child_process').ExecFileException | null, output: string }>}
 */
function run(file, args, options) {
  return new Promise((done) => {
    const child = execFile(file, args, options, (error, stdout, stderr) =>
      done({ error, output: `${String(stdout)}\n${String(stderr)}`.trim() }),
    );
    child.stdin?.end();
  });
}

async function main() {
  if (!existsSync(CONFIG_PATH)) {
    throw new DriftError(`no drizzle.config.ts in ${PACKAGE_DIR}: run this from packages/gantry`);
  }
  if (!existsSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'))) {
    throw new DriftError(`no migrations in ${MIGRATIONS_DIR}: ${FIX}`);
  }

  const workDir = mkdtempSync(join(tmpdir(), 'gantry-drift-'));
  try {
    const scratchMigrations = join(workDir, 'drizzle');
    cpSync(MIGRATIONS_DIR, scratchMigrations, { recursive: true });
    const before = fingerprint(scratchMigrations);

    // The project's own config with only `out` replaced, so dialect, schema
    // glob, casing and prefix are exactly those of `npm run db:generate`.
    // drizzle-kit 0.31 prefixes `out` with "./", so it must be relative to
    // the working directory (packages/gantry), not absolute.
    const out = relative(PACKAGE_DIR, scratchMigrations).split(sep).join('/');
    const scratchConfig = join(workDir, 'drizzle.config.ts');
    writeFileSync(
      scratchConfig,
      `import config from ${JSON.stringify(CONFIG_PATH)};\n` +
        `export default { ...config, out: ${JSON.stringify(out)} };\n`,
    );

    const { error, output } = await run(
      process.execPath,
      [drizzleKitBin(), 'generate', `--config=${scratchConfig}`],
      {
        cwd: PACKAGE_DIR,
        env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
        timeout: TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      },
    );

    const after = fingerprint(scratchMigrations);
    const added = [...after.keys()].filter((path) => !before.has(path)).sort();
    const changed = [...after.keys()]
      .filter((path) => before.has(path) && before.get(path) !== after.get(path))
      .sort();
    if (added.length > 0 || changed.length > 0) {
      const listing = [
        ...added.map((path) => `  new:     drizzle/${path}`),
        ...changed.map((path) => `  changed: drizzle/${path}`),
      ].join('\n');
      const sql = added
        .filter((path) => path.endsWith('.sql'))
        .map((path) => `\n-- drizzle/${path}\n${readFileSync(join(scratchMigrations, path), 'utf8').trim()}`)
        .join('\n');
      throw new DriftError(
        `the Drizzle schema changed but no migration was generated: ${FIX}\n` +
          `drizzle-kit generate would write:\n${listing}\n${sql}`,
      );
    }

    // drizzle-kit 0.31 exits 0 even when it fails, so success is judged by
    // what it says, not by its exit code.
    if (/Interactive prompts require a TTY/i.test(output)) {
      throw new DriftError(
        `the Drizzle schema changed but no migration was generated: ${FIX}\n` +
          'drizzle-kit wants to ask whether a table or column was renamed; answer it in a terminal.\n' +
          output,
      );
    }
    if (error || !/No schema changes/i.test(output)) {
      const reason = error?.killed ? `timed out after ${TIMEOUT_MS / 1000}s` : 'did not report success';
      throw new DriftError(`drizzle-kit generate ${reason}:\n${output}`);
    }
    console.log('Migrations match the Drizzle schema: drizzle-kit generate has nothing to add.');
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  if (error instanceof DriftError) console.error(`Migration drift check failed: ${error.message}`);
  else console.error('Migration drift check could not run:', error);
  process.exitCode = 1;
});
