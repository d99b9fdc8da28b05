import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Tests that run the real `gantry` command need dist/ to match src/. The
// build is incremental, so when nothing changed it costs a second or two.
export default async function buildSetup(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const project = fileURLToPath(new URL('../../tsconfig.build.json', import.meta.url));
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', project], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? '';
    throw new Error(`building packages/gantry failed, so the CLI cannot be tested:\n${output}`, {
      cause: error,
    });
  }
}
