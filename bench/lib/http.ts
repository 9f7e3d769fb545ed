/** Small fetch helpers for fixture set-up (never used for measured load). */

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
  setCookies: string[];
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, setCookies: response.headers.getSetCookie() };
}

/** `name=value` of the first Set-Cookie whose name ends with `suffix` and has a value. */
export function cookiePair(setCookies: readonly string[], suffix: string): string {
  for (const header of setCookies) {
    const pair = header.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    if (name.endsWith(suffix) && pair.length > eq + 1) return pair;
  }
  throw new Error(`no ${suffix} cookie in response (got ${setCookies.map((c) => c.split('=', 1)[0]).join(', ') || 'none'})`);
}

/** A Cookie header carrying the first Set-Cookie whose name ends with each suffix, in that order. */
export function cookieHeader(setCookies: readonly string[], suffixes: readonly string[]): string {
  return suffixes.map((suffix) => cookiePair(setCookies, suffix)).join('; ');
}

export function expectStatus(response: JsonResponse, status: number, what: string): JsonResponse {
  if (response.status !== status) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  return response;
}
