/**
 * Every CLI command, in the order `--help` lists them. Each module exports `register(program)`; adding
 * a command is one line here.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

export const COMMANDS: Register[] = [];
