import { resolve } from 'node:path';
import { Command } from 'commander';

/** `gantry demo`: the whole story on this machine (`npm start` keeps serving, `npm run demo` reports and exits). */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'run the demo: three local stages, a good release promoted to prod, a faulty one rolled back',
    )
    .option('--once', 'stop after the story and exit 0 if everything happened as expected (npm run demo)')
    .option('--file <path>', 'the pipeline to declare', 'examples/demo/gantry.yaml')
    .option('--data-dir <path>', 'where the demo keeps its state (wiped at start)', '.gantry/demo')
    .option(
      '--approve-in-dashboard',
      'leave the prod approvals of the good and the faulty release to you, in the dashboard (no time limit)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ npm start                     the demo, then Gantry keeps serving (Ctrl-C stops it)
  $ npm run demo                  the demo to the end; exit code 0 when it went as expected
  $ gantry demo --once --data-dir /tmp/gantry-demo
  $ gantry demo --approve-in-dashboard   you approve the prod canaries at http://127.0.0.1:7070/

The stages answer on 127.0.0.1:8081 (develop), 8082 (staging; preview 8182) and 8083 (prod),
the API on GANTRY_PORT (default 7070). Run it from the repository root.`,
    )
    .action(
      async (options: { once?: boolean; file: string; dataDir: string; approveInDashboard?: boolean }) => {
        const { runDemo } = await import('../demo/demo.js');
        const outcome = await runDemo({
          pipelineFile: resolve(options.file),
          dataDir: resolve(options.dataDir),
          keepServing: !options.once,
          // A person approving takes as long as it takes.
          timeoutMs: options.approveInDashboard ? 60 * 60_000 : 120_000,
          approveInDashboard: options.approveInDashboard ?? false,
          print: (line) => process.stdout.write(`${line}\n`),
        });
        if (!options.once) {
          if (!outcome.ok) {
            process.stderr.write(
              `the demo did not go as expected:\n${outcome.problems.map((p) => `  - ${p}`).join('\n')}\n`,
            );
          }
          return;
        }
        await outcome.server.stop();
        if (!outcome.ok) {
          process.stderr.write(
            `the demo did not go as expected:\n${outcome.problems.map((p) => `  - ${p}`).join('\n')}\n`,
          );
          process.exitCode = 1;
        }
      },
    );
}
