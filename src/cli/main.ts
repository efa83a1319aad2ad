#!/usr/bin/env node
/**
 * flowaudit's entry point: builds the commander program from one module per command and turns
 * known errors into one line and exit code 2. Exit codes: 0 nothing to report, 1 findings
 * (see --fail-on), 2 usage, configuration or input error.
 */
import { Command, CommanderError } from 'commander';
import { FlowauditError } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { packageVersion } from './package-info.js';

/**
 * Each command's module, in the order help lists them. Only the command being run is loaded:
 * together they pull in DuckDB, the AWS SDK, ajv and the report writers (~0.5 s of start-up).
 */
const COMMANDS = {
  ingest: async () => (await import('./ingest.js')).ingestCommand(),
  names: async () => (await import('./names.js')).namesCommand(),
  classify: async () => (await import('./classify.js')).classifyCommand(),
  report: async () => (await import('./report.js')).reportCommand(),
  audit: async () => (await import('./audit.js')).auditCommand(),
  tighten: async () => (await import('./tighten.js')).tightenCommand(),
  rules: async () => (await import('./rules.js')).rulesCommand(),
} satisfies Record<string, () => Promise<Command>>;

type CommandName = keyof typeof COMMANDS;

function isCommandName(word: string | undefined): word is CommandName {
  return word !== undefined && Object.hasOwn(COMMANDS, word);
}

/**
 * The program for `argv`: with only the named command when one is, with none for --version,
 * and with all of them otherwise (help, an unknown command, no arguments).
 */
async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('flowaudit')
    .description('Hold captured traffic and flow logs against the flows vendor documentation says a deployment needs.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)');
  const first = argv[2];
  const names: CommandName[] = isCommandName(first) ? [first]
    : first === '-V' || first === '--version' ? []
    : Object.keys(COMMANDS) as CommandName[];
  for (const name of names) program.addCommand(await COMMANDS[name]());
  applyRecursively(program, (c) => c.exitOverride());
  return program;
}

function applyRecursively(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyRecursively(sub, fn);
}

async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
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
  if (err.code === 'EPIPE') process.exit(); // with process.exitCode, as set so far
  throw err;
});

process.exitCode = await main(process.argv);
