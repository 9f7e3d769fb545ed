import { assertConformsToContract } from './openapi-contract';

/**
 * A small HTTP client over fetch with a cookie jar, so tests read like a user's session:
 * every request goes through the real server and the real cookie attributes.
 */
export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
  setCookies: string[];
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Raw body (string) sent as is; otherwise `json` is serialised. */
  raw?: string | Buffer;
  json?: unknown;
  /** Skip the cookie jar for this request. */
  noCookies?: boolean;
}

export class HttpClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (!options.noCookies && this.cookies.size > 0 && headers.cookie === undefined) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
    const setCookies = response.headers.getSetCookie();
    if (!options.noCookies) {
      for (const line of setCookies) {
        const [pair] = line.split(';');
        const index = pair!.indexOf('=');
        const name = pair!.slice(0, index).trim();
        const value = pair!.slice(index + 1).trim();
        const expired = /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line) || value === '';
        if (expired) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    const text = await response.text();
    // Every answer a test receives is held to the server's own OpenAPI document.
    await assertConformsToContract(this.baseUrl, method, path, {
      status: response.status,
      header: (name) => response.headers.get(name) ?? undefined,
      text,
    });
    let parsed: unknown = undefined;
    if (text.length > 0 && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text, setCookies };
  }

  get<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request<T>('POST', path, { ...options, ...(json !== undefined ? { json } : {}) });
  }

  /** A second browser: same server, empty cookie jar. */
  fresh(): HttpClient {
    return new HttpClient(this.baseUrl);
  }
}
