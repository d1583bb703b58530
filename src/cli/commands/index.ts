/**
 * Every CLI command, in the order `--help` lists them. Each module exports `register(program)`; adding
 * a command is one line here.
 */
import type { Command } from 'commander';
import { register as start } from './start.js';
import { register as backtest } from './backtest.js';
import { register as simulate } from './simulate.js';
import { register as data } from './data.js';
import { register as ingest } from './ingest.js';
import { register as replayServer } from './replay-server.js';
import { register as synthetic } from './synthetic.js';
import { register as train } from './train.js';
import { register as tune } from './tune.js';
import { register as paper } from './paper.js';
import { register as dashboard } from './dashboard.js';
import { register as reindex } from './reindex.js';
import { register as dashboards } from './dashboards.js';
import { register as backfill } from './backfill.js';
import { register as ledger } from './ledger.js';
import { register as runs } from './runs.js';

type Register = (program: Command) => void;

export const COMMANDS: Register[] = [
  start,
  ingest,
  backfill,
  data,
  train,
  tune,
  backtest,
  simulate,
  replayServer,
  synthetic,
  paper,
  dashboard,
  reindex,
  dashboards,
  ledger,
  runs,
];
