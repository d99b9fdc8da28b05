import { readFileSync } from 'node:fs';

/** The gantry package's version (its package.json): `gantry --version`, the OpenAPI document, User-Agent headers. */
export const GANTRY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
