import { buildProgram } from './cli/program.js';
import { runCommand } from './cli/run-command.js';

await runCommand(() => buildProgram().parseAsync(process.argv));
