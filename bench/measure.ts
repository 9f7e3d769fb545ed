import { startCpuAccounting } from './lib/cpu-accounting';
import { runLoad, type LoadResult } from './lib/load';
import type { Measurement } from './lib/report';
import { sideOrder } from './lib/rounds';
import type { ServerProcess } from './lib/server-process';
import { SCENARIOS, type RunPlan, type ScenarioContext, type ScenarioId, type ServerName } from './scenarios';

/**
 * The rounds: in each, every chosen scenario on each of its servers — prepare (not timed),
 * warm up, measure — with the servers' order alternating from round to round (lib/rounds.ts).
 * Speed is never judged here; a request that failed is recorded, because then the set-up or a
 * server is broken and the numbers mean nothing.
 */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeFailures(load: LoadResult): string {
  const statuses = Object.entries(load.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `HTTP ${code} x${n}`);
  return [...statuses, ...(load.transportErrors > 0 ? [`${load.transportErrors} transport errors`] : [])].join(', ');
}

async function measure(server: ServerProcess, plan: RunPlan, connections: number) {
  await server.probe(true);
  server.memory.start();
  const stopCpu = startCpuAccounting(server.pid);
  const load = await runLoad({ url: server.url, connections, requests: plan.requests, amount: plan.amount, durationSeconds: plan.durationSeconds });
  const cpu = stopCpu();
  const memory = server.memory.stop();
  const probe = await server.probe();
  return { load, probe, memory, cpu };
}

export interface RoundsResult {
  measurements: Measurement[];
  failures: string[];
}

/** Work done before a scenario's runs in a round (the login's argon2 ceiling is timed there). */
export type BeforeScenario = (id: ScenarioId, round: number) => Promise<void>;

export async function runRounds(
  ctx: ScenarioContext,
  processes: Record<ServerName, ServerProcess>,
  ids: readonly ScenarioId[],
  rounds: number,
  beforeScenario?: BeforeScenario,
): Promise<RoundsResult> {
  const measurements: Measurement[] = [];
  const failures: string[] = [];
  const { connections } = ctx.settings;
  for (let round = 0; round < rounds; round += 1) {
    for (const id of ids) {
      await beforeScenario?.(id, round + 1);
      const order = sideOrder(SCENARIOS[id].sides, round);
      for (const [position, side] of order.entries()) {
        const server = processes[side.server];
        const label = `round ${round + 1}/${rounds}: ${id} / ${side.server}`;
        const setupStart = performance.now();
        const prepared = await side.prepare(ctx);
        const setupSeconds = (performance.now() - setupStart) / 1000;
        const warmup = await runLoad({ url: server.url, connections, ...prepared.warmup });
        if (warmup.non2xx > 0 || warmup.transportErrors > 0) failures.push(`${label} warm-up: ${describeFailures(warmup)}`);
        await pause(500);
        console.error(`${label}: measuring…`);
        const { load, probe, memory, cpu } = await measure(server, prepared.measure, connections);
        measurements.push({
          scenario: id,
          server: side.server,
          round: round + 1,
          position: position + 1,
          request: prepared.request,
          setupSeconds,
          load,
          probe,
          cpu,
          peakRssBytes: memory.peakRssBytes,
          rssSource: memory.source,
        });
        if (load.non2xx > 0 || load.transportErrors > 0) failures.push(`${label}: ${describeFailures(load)}`);
        console.error(
          `  ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ` +
            `non-2xx ${load.non2xx}, errors ${load.transportErrors}, argon2 verify ${probe.argon2Verify}, EL p99 ${probe.eventLoopDelayMs.p99.toFixed(1)} ms, ` +
            `peak RSS ${(memory.peakRssBytes / 1e6).toFixed(0)} MB`,
        );
        await pause(500);
      }
    }
  }
  return { measurements, failures };
}
