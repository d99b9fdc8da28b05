#!/usr/bin/env node
// The `gantry` command. The TypeScript sources are compiled to dist/ by
// `npm run build`, which `npm ci` runs through the root prepare script.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('gantry: not built yet. Run `npm ci` (or `npm run build`) in the Gantry repository first.');
  process.exit(1);
}
await import(entry.href);
