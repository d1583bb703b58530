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

/**
 * Per-coin weights of the G-Research Crypto Forecasting competition (its asset_details.csv; each is the
 * natural log of a whole number, larger for the larger coins), keyed by the Binance USDT pair of each of
 * its 14 assets. They weight the universe's average return in the residual target and the weighted
 * correlation, as the competition did; a pair not listed gets `coinWeights.other`.
 */
// prettier-ignore
export const G_RESEARCH_COIN_WEIGHTS: Readonly<Record<string, number>> = {
  BTCUSDT: 6.779922, // Bitcoin, ln 880
  ETHUSDT: 5.894403, // Ethereum, ln 363
  ADAUSDT: 4.406719, // Cardano, ln 82
  BNBUSDT: 4.304065, // Binance Coin, ln 74
  DOGEUSDT: 3.555348, // Dogecoin, ln 35
  BCHUSDT: 2.397895, // Bitcoin Cash, ln 11
  LTCUSDT: 2.397895, // Litecoin, ln 11
  ETCUSDT: 2.079442, // Ethereum Classic, ln 8
  XLMUSDT: 2.079442, // Stellar, ln 8
  TRXUSDT: 1.791759, // TRON, ln 6
  XMRUSDT: 1.609438, // Monero, ln 5
  EOSUSDT: 1.386294, // EOS.IO, ln 4
  IOTAUSDT: 1.098612, // IOTA, ln 3
  MKRUSDT: 1.098612, // Maker, ln 3
};

/**
 * Binance's market-data-only REST endpoint: it serves klines, time, exchangeInfo and bookTicker (all
 * alpha15 reads) and, unlike api.binance.com, also answers from US regions (HTTP 451 there).
 */
export const DEFAULT_BINANCE_BASE_URL = 'https://data-api.binance.vision';
