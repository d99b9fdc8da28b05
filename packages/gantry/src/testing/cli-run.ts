import { Command } from 'commander';
import { vi } from 'vitest';
import { runCommand } from '../cli/run-command.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `gantry <args>` with the given commands in this process, as the CLI
 * would: stdout and stderr captured, process.exit turned into the exit code.
 * `onStdout` sees each chunk as it is written (to check what a long-running
 * command printed before it ended).
 */
export async function runCli(
  commands: readonly Command[],
  args: string[],
  options: { onStdout?: (text: string) => void } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let exited: number | undefined;
  const capture = (append: (text: string) => void) =>
    ((chunk: string | Uint8Array) => {
      if (exited === undefined) append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    }) as typeof process.stdout.write;
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(
      capture((text) => {
        stdout += text;
        options.onStdout?.(text);
      }),
    ),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture((text) => (stderr += text))),
    vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      exited = code ?? 0;
      throw new Error(`process.exit(${code})`);
    }) as typeof process.exit),
  ];
  process.exitCode = undefined;
  try {
    const program = new Command('gantry').enablePositionalOptions();
    for (const command of commands) program.addCommand(command);
    await runCommand(() => program.parseAsync(args, { from: 'user' }));
    return { code: exited ?? Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    for (const spy of spies) spy.mockRestore();
    process.exitCode = undefined;
  }
}
