/**
 * Every command and flag README and docs/aws.md tell a user to type exists in the CLI as written: the
 * command table's rows and every `alpha15 ...` in code are checked against the commands' own option
 * definitions, so a documented flag the CLI lacks fails here instead of on a newcomer's terminal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { REPO_ROOT } from '../support/shared-data.js';

const program = new Command('alpha15');
for (const register of COMMANDS) register(program);

const DOCS = ['README.md', 'docs/aws.md'];

interface Usage {
  doc: string;
  text: string;
}

/** The deepest command the leading words name, and the flags written after them. */
function resolve(usage: Usage): { command: Command; words: string[]; flags: string[] } {
  let command = program;
  const words: string[] = [];
  for (const word of usage.text.trim().split(/\s+/)) {
    const sub = command.commands.find((candidate) => candidate.name() === word);
    if (sub === undefined) break;
    command = sub;
    words.push(word);
  }
  return {
    command,
    words,
    flags: [...usage.text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((match) => match[0]),
  };
}

/** `alpha15 <args>` in fenced code and inline code, up to the end of the command. */
function codeUsages(doc: string, markdown: string): Usage[] {
  const usages: Usage[] = [];
  const code = [
    ...[...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((block) => block[1]!.split('\n')),
    ...[...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((span) => span[1]!),
  ];
  for (const line of code) {
    for (const match of line.matchAll(/\balpha15 ([a-z][^|;&#)]*)/g)) usages.push({ doc, text: match[1]! });
    for (const match of line.matchAll(/\bnpm start -- ([^|;&#)]*)/g))
      usages.push({ doc, text: `start ${match[1]!}` });
  }
  return usages;
}

/** The first cell of every row of README's command table: a command's usage, or several. */
function commandTableUsages(markdown: string): Usage[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^\|\s*command\s*\|\s*what it does\s*\|/.test(line));
  assert.ok(start >= 0, "README's command table");
  const usages: Usage[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const firstCell = line.split(/(?<!\\)\|/)[1] ?? '';
    for (const span of firstCell.matchAll(/`([^`]+)`/g)) usages.push({ doc: 'README.md', text: span[1]! });
  }
  return usages;
}

const documents = DOCS.map((doc) => ({ doc, markdown: readFileSync(path.join(REPO_ROOT, doc), 'utf8') }));

test("every row of README's command table names a command with the flags it has", () => {
  const usages = commandTableUsages(documents[0]!.markdown);
  assert.ok(usages.length >= 15, `${usages.length} rows`);
  const problems = usages.flatMap((usage) => problemsOf(usage));
  assert.deepEqual(problems, []);
  const tabled = new Set(usages.map((usage) => resolve(usage).command));
  const untabled = program.commands.filter(
    (command) => !tabled.has(command) && !command.commands.some((sub) => tabled.has(sub)),
  );
  assert.deepEqual(
    untabled.map((command) => command.name()),
    [],
    'commands missing from the table',
  );
});

test('every `alpha15 ...` in README and docs/aws.md is a command with the flags it has', () => {
  const usages = documents.flatMap(({ doc, markdown }) => codeUsages(doc, markdown));
  assert.ok(usages.length >= 20, `${usages.length} usages`);
  assert.deepEqual(
    usages.flatMap((usage) => problemsOf(usage)),
    [],
  );
});

function problemsOf(usage: Usage): string[] {
  const { command, words, flags } = resolve(usage);
  if (words.length === 0) return [`${usage.doc}: "alpha15 ${usage.text}" names no command`];
  const known = new Set([
    '--help',
    ...command.options.map((option) => option.long).filter((long) => long !== undefined),
  ]);
  return flags
    .filter((flag) => !known.has(flag))
    .map((flag) => `${usage.doc}: alpha15 ${words.join(' ')} has no ${flag} ("${usage.text.trim()}")`);
}
