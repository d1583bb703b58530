/**
 * Credentials written into URLs (`http://user:pass@host`) are accepted where a URL is (the dashboards
 * import, the Binance base URL) but never shown: fetch refuses URLs that carry them, so they travel as
 * an Authorization header, and every message that names the URL names it without them.
 */

/** Any `scheme://user[:password]@` in a text, with the user information replaced by `***`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@');
}

/** The URL without user information, and the Basic authorization header it carried, if any. */
export function splitUrlCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (parsed.username === '' && parsed.password === '') return { url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  // URL.toString adds a trailing slash to a bare origin; keep the caller's form otherwise
  const stripped =
    url.endsWith('/') || parsed.pathname !== '/' ? parsed.toString() : parsed.toString().slice(0, -1);
  return { url: stripped, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/**
 * A copy of a JSON-like value with the credentials of every URL in its strings redacted: what is stored
 * (a model's config.json, a run record) is read by more people and roles than typed the password.
 */
export function redactCredentialsDeep<T>(value: T): T {
  if (typeof value === 'string') return redactUrlCredentials(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactCredentialsDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, redactCredentialsDeep(inner as unknown)]),
    ) as T;
  }
  return value;
}
