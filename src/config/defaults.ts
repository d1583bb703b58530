/**
 * A liquid, long-listed spot universe quoted in USDT. Stablecoin pairs are left out: their 15-minute
 * returns are noise around zero and would only dilute the model's outputs.
 */
// prettier-ignore
export const DEFAULT_SYMBOLS = [
  'BTCUSDT',
  'ETHUSDT',
  'BNBUSDT',
  'SOLUSDT',
  'XRPUSDT',
  'ADAUSDT',
  'DOGEUSDT',
  'AVAXUSDT',
  'DOTUSDT',
  'LINKUSDT',
  'LTCUSDT',
  'TRXUSDT',
  'NEARUSDT',
  'ATOMUSDT',
  'XLMUSDT',
  'ETCUSDT',
  'FILUSDT',
  'ALGOUSDT',
  'UNIUSDT',
  'BCHUSDT',
] as const;
