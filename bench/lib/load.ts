import autocannon from 'autocannon';

/** What one autocannon run produced, reduced to what the report shows. */
export interface LoadResult {
  /** Responses received (any status). */
  responses: number;
  ok2xx: number;
  /** Responses with a status outside 2xx, counted apart from transport errors. */
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Connection errors and timeouts: no HTTP answer at all. */
  transportErrors: number;
  timeouts: number;
  durationSeconds: number;
  /** 2xx responses per second of the run (failures do not count as throughput). */
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number };
}

export type LoadRequest = autocannon.Request;

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  durationSeconds?: number;
  /** Exactly this many requests (pools of single-use tokens). */
  amount?: number;
  requests: LoadRequest[];
  headers?: Record<string, string>;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  // autocannon reports its duration on a 1-second tick, so a fixed-amount run would be charged
  // for the wait until the next tick: time the run from its start to its last response instead.
  let lastResponseAt = 0;
  const requests = options.requests.map((request) => {
    const onResponse = request.onResponse;
    return {
      ...request,
      onResponse(...args: Parameters<Extract<LoadRequest['onResponse'], (...a: never[]) => void>>) {
        lastResponseAt = performance.now();
        if (typeof onResponse === 'function') onResponse(...args);
      },
    };
  });
  const startedAt = performance.now();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    timeout: 30,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
    requests,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const durationSeconds = lastResponseAt > startedAt ? (lastResponseAt - startedAt) / 1000 : result.duration;
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const ok2xx = result['2xx'];
  return {
    responses: ok2xx + result.non2xx,
    ok2xx,
    non2xx: result.non2xx,
    statusCodes,
    transportErrors: result.errors,
    timeouts: result.timeouts,
    durationSeconds,
    requestsPerSecond: durationSeconds > 0 ? ok2xx / durationSeconds : 0,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean, max: result.latency.max },
  };
}

/**
 * A request whose body/headers come from a queue of prepared, single-use items: each request
 * autocannon builds takes the next item, so no two requests carry the same token or cookie.
 * autocannon builds one request ahead per connection, so the queue needs `amount + connections` items.
 */
export function queuedRequest<T>(
  base: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string> },
  items: readonly T[],
  build: (item: T) => { body?: string; headers?: Record<string, string> },
): LoadRequest {
  let next = 0;
  return {
    method: base.method,
    path: base.path,
    headers: base.headers ?? {},
    setupRequest(request) {
      const item = items[next];
      if (item === undefined) throw new Error(`request queue for ${base.path} ran dry after ${next} items`);
      next += 1;
      const built = build(item);
      return {
        ...request,
        ...(built.body !== undefined ? { body: built.body } : {}),
        headers: { ...request.headers, ...built.headers },
      };
    },
  };
}
