/**
 * A command line the CLI could not parse (an unknown or misspelt flag, a missing required one, a
 * value a flag refuses): a user's mistake, so exit 1 and, under --json, the same error document as
 * every other failure. Commander finds these; this module gives them a code, data and a hint.
 */
import type { Command, CommanderError } from 'commander';
import { Alpha15Error } from '../errors.js';
import { nearest } from '../config/unknown-keys.js';

export class UsageError extends Alpha15Error {
  readonly code = 'USAGE';
}

/** Commander's exits that are no error: the help or the version a user asked for. */
export function isUsageError(commanderCode: string): boolean {
  return commanderCode !== 'commander.helpDisplayed' && commanderCode !== 'commander.version';
}

/**
 * The usage error for a commander failure. Commander checks required options before unknown ones,
 * so `ingest --sorce x` would say "--source not specified"; the unknown flag is the real mistake and
 * is reported first, with the nearest known flag.
 */
export function usageErrorFrom(error: CommanderError, program: Command, argv: readonly string[]): UsageError {
  const command = commandOf(program, argv);
  const commandPath = commandPathOf(command);
  const flagProblem = ['commander.unknownOption', 'commander.missingMandatoryOptionValue'].includes(
    error.code,
  );
  const unknownFlag = flagProblem ? unknownFlagIn(command, argv) : undefined;
  const hint = `run ${commandPath} --help for its options`;
  if (unknownFlag !== undefined) {
    const suggestion = nearestFlag(unknownFlag, knownFlags(command));
    return new UsageError(
      `unknown option '${unknownFlag}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      hint,
      { data: { reason: 'unknownOption', command: commandPath, option: unknownFlag, suggestion } },
    );
  }
  // commander's text: "error: <what>" and, for a mistyped command, "(Did you mean <name>?)" below it
  // a group command given no subcommand prints its help and exits through this path too
  const message = (error.code === 'commander.help' ? 'no command given' : error.message)
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ');
  const option = /option '(-[\w-]+)/.exec(message)?.[1];
  return new UsageError(message, hint, {
    data: { reason: error.code.replace(/^commander\./, ''), command: commandPath, option },
  });
}

/** The deepest (sub)command the arguments name, e.g. `data verify`. */
function commandOf(program: Command, argv: readonly string[]): Command {
  let command = program;
  for (const word of argv.slice(2)) {
    if (word.startsWith('-')) break;
    const next = command.commands.find((sub) => sub.name() === word || sub.aliases().includes(word));
    if (next === undefined) break;
    command = next;
  }
  return command;
}

function commandPathOf(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

function knownFlags(command: Command): string[] {
  const flags = ['--help', '-h'];
  for (const option of command.options) {
    if (option.long) flags.push(option.long);
    if (option.short) flags.push(option.short);
  }
  return flags;
}

function unknownFlagIn(command: Command, argv: readonly string[]): string | undefined {
  const known = new Set(knownFlags(command));
  for (const word of argv.slice(2)) {
    if (word === '--') return undefined;
    if (!word.startsWith('-') || /^-\d/.test(word)) continue;
    const flag = word.split('=')[0] ?? word;
    if (!known.has(flag)) return flag;
  }
  return undefined;
}

/** The known long flag nearest a typo, if one is close enough (the config loader's rule for keys). */
function nearestFlag(typo: string, flags: readonly string[]): string | undefined {
  const names = flags.filter((name) => name.startsWith('--')).map((name) => name.slice(2));
  const nearestName = nearest(typo.replace(/^-+/, ''), names);
  return nearestName === undefined ? undefined : `--${nearestName}`;
}
