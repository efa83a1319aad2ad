#!/usr/bin/env node
/**
 * flowaudit's entry point: builds the commander program from one module per command and turns
 * known errors into one line and exit code 2. Exit codes: 0 nothing to report, 1 findings
 * (see --fail-on), 2 usage, configuration or input error.
 */
import { Command, CommanderError } from 'commander';
import { FlowauditError } from '../errors.js';
import { ingestCommand } from './ingest.js';
import { rulesCommand } from './rules.js';
import { namesCommand } from './names.js';
import { classifyCommand } from './classify.js';
import { reportCommand } from './report.js';
import { auditCommand } from './audit.js';
import { tightenCommand } from './tighten.js';
import { EXIT } from './exit-codes.js';
import { packageVersion } from './package-info.js';

export function buildProgram(): Command {
  const program = new Command('flowaudit')
    .description('Hold captured traffic and flow logs against the flows vendor documentation says a deployment needs.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(ingestCommand());
  program.addCommand(namesCommand());
  program.addCommand(classifyCommand());
  program.addCommand(reportCommand());
  program.addCommand(auditCommand());
  program.addCommand(tightenCommand());
  program.addCommand(rulesCommand());
  applyRecursively(program, (c) => c.exitOverride());
  return program;
}

function applyRecursively(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyRecursively(sub, fn);
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message (or the help); --help and --version are not errors.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.error;
    }
    if (err instanceof FlowauditError) {
      process.stderr.write(`flowaudit: ${err.toLine()}\n`);
      return EXIT.error;
    }
    // Not a user's mistake: keep the stack so the bug can be reported.
    process.stderr.write(`flowaudit: internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.error;
  }
}

// `flowaudit report | head` closes the pipe early: stop quietly, as other Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode === undefined ? EXIT.ok : Number(process.exitCode));
  throw err;
});

process.exitCode = await main(process.argv);
