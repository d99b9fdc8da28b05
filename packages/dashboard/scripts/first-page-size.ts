import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

// The build's size report: the JavaScript a browser must fetch before the
// first page shows (the entry chunk and everything it imports statically),
// gzipped as a server would send it. Pages loaded on demand are listed but
// do not count. Over the budget, the build fails. It also writes each text
// file's .gz twin, which gantry server sends to browsers that accept gzip.

export const FIRST_PAGE_BUDGET_BYTES = 250 * 1024;

export interface ChunkLike {
  type: 'chunk' | 'asset';
  fileName: string;
  isEntry?: boolean;
  imports?: readonly string[];
  code?: string;
}

/** The file names the entry chunk pulls in statically, the entry first. */
export function firstPageChunks(bundle: Record<string, ChunkLike>): string[] {
  const entry = Object.values(bundle).find((item) => item.type === 'chunk' && item.isEntry);
  if (!entry) return [];
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    if (seen.has(fileName)) return;
    seen.add(fileName);
    for (const imported of bundle[fileName]?.imports ?? []) visit(imported);
  };
  visit(entry.fileName);
  return [...seen];
}

export function gzippedSize(code: string): number {
  return gzipSync(Buffer.from(code), { level: 9 }).length;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function firstPageSizePlugin(budgetBytes = FIRST_PAGE_BUDGET_BYTES): Plugin {
  return {
    name: 'gantry-first-page-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      const items = bundle as unknown as Record<string, ChunkLike>;
      const first = new Set(firstPageChunks(items));
      let total = 0;
      const lines: string[] = [];
      for (const item of Object.values(items)) {
        if (item.type !== 'chunk' || item.code === undefined) continue;
        const size = gzippedSize(item.code);
        if (first.has(item.fileName)) total += size;
        lines.push(
          `  ${first.has(item.fileName) ? 'first page' : 'on demand '}  ${kb(size).padStart(9)}  ${item.fileName}`,
        );
      }
      console.log(`\nJavaScript, gzipped:\n${lines.sort().join('\n')}`);
      console.log(`first page: ${kb(total)} of JavaScript gzipped (budget ${kb(budgetBytes)})\n`);
      if (total > budgetBytes) {
        this.error(
          `the first page needs ${kb(total)} of JavaScript gzipped, over the ${kb(budgetBytes)} budget: load the new code on demand (React.lazy) or drop a dependency`,
        );
      }
    },
    writeBundle(options, bundle) {
      const outDir = options.dir ?? 'dist';
      for (const item of Object.values(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(item.fileName)) continue;
        const content = item.type === 'chunk' ? item.code : item.source;
        writeFileSync(join(outDir, `${item.fileName}.gz`), gzipSync(content, { level: 9 }));
      }
    },
  };
}
