import http from 'node:http';
import path from 'node:path';
import { buildServerBundle } from '../tools/build/server-bundle';
import { newRunId } from './lib/environment';
import { runLoad, type LoadRequest } from './lib/load';
import { npmStartNodeFlags } from './lib/npm-start';
import { startServerProcess } from './lib/server-process';
import { summariseTail, type TailSummary, type TimedAnswer } from './lib/tail-analysis';
import { openVerifyBench } from './lib/verify-bench';
import { describeFailures } from './measure';
import { proofgateVerifies } from './scenarios/second-factor';
import { FULL, QUICK } from './settings';
import { parseTailArgs, TAIL_USAGE } from './tail-args';

/**
 * `npm run bench:tail -- [--passes=N] [--quick]`
 *
 * What makes the verify's slowest answers slow? The full bench reports a p99; this shows what
 * the answers behind it waited through. Each pass starts the working tree's server as `npm start`
 * starts it, warms it up like the bench, then sends the bench's verifies (single-use temp tokens,
 * the bench's amount) from a closed loop of the bench's connection count that times every answer
 * itself — autocannon keeps only a histogram — while the probe records every pause of the
 * server's garbage collector. It reports, beside the p50 and p99, how many of the answers at or
 * above the p99 were in flight during a mark-compact or a long scavenge, against the share of
 * all answers that were, and into how many 20 ms windows the slowest answers fell.
 */

/** One request at a time per connection, as autocannon sends them, each answer timed from its send to its last byte. */
async function timedClosedLoop(url: string, request: LoadRequest, amount: number, connections: number): Promise<{ answers: TimedAnswer[]; failed: number }> {
  // The bench's requests come from queuedRequest: its setupRequest takes the next single-use item.
  const setup = request.setupRequest as (base: object, context: object) => { body: string; headers: Record<string, string> };
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const answers: TimedAnswer[] = [];
  let sent = 0;
  let failed = 0;
  const send = (body: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { agent, host: target.hostname, port: target.port, method: request.method, path: request.path, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const connection = async () => {
    while (sent < amount) {
      sent += 1;
      const built = setup({ method: request.method, path: request.path, headers: { ...request.headers } }, {});
      const startMs = performance.timeOrigin + performance.now();
      const status = await send(built.body, built.headers);
      const endMs = performance.timeOrigin + performance.now();
      if (status >= 200 && status < 300) answers.push({ startMs, endMs });
      else failed += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, connection));
  } finally {
    agent.destroy();
  }
  return { answers, failed };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function printReport(summaries: TailSummary[], amounts: string): void {
  const lines = [
    `# Tail of POST /api/auth/2fa/verify (${summaries.length} passes, ${amounts})`,
    '',
    '| pass | verifies/s | p50 ms | p99 ms | max ms | mark-compacts (ms in all) | scavenges (ms in all; ≥ 2 ms) | answers ≥ p99 | of them in flight during a mark-compact (of all answers) | during a scavenge ≥ 2 ms (of all answers) | 20 ms windows they ended in |',
    '| ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | --- | ---: |',
    ...summaries.map(
      (s, i) =>
        `| ${i + 1} | ${s.perSecond.toFixed(0)} | ${s.p50Ms.toFixed(1)} | ${s.p99Ms.toFixed(1)} | ${s.maxMs.toFixed(1)} | ${s.majorPauses.count} (${s.majorPauses.totalMs.toFixed(0)}) | ${s.minorPauses.count} (${s.minorPauses.totalMs.toFixed(0)}; ${s.minorPauses.atLeast2Ms}) | ${s.slowest} | ${percent(s.inMajorPause.slowest)} (${percent(s.inMajorPause.all)}) | ${percent(s.inLongMinorPause.slowest)} (${percent(s.inLongMinorPause.all)}) | ${s.windowsOfSlowest} |`,
    ),
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const args = parseTailArgs(process.argv.slice(2));
  const settings = args.quick ? QUICK : FULL;
  const runId = newRunId();
  const bundle = await buildServerBundle(path.resolve('dist', 'tail', 'main.js'));
  const bench = await openVerifyBench(runId);
  try {
    const summaries: TailSummary[] = [];
    for (let pass = 1; pass <= args.passes; pass += 1) {
      const env = bench.serverEnv(`bench-tail-${runId}-${pass}`);
      const prepared = await proofgateVerifies({ settings, proofgate: bench.fixtures }, `tail-${pass}`, '', env.REDIS_KEY_PREFIX);
      console.error(`pass ${pass}/${args.passes}…`);
      const server = await startServerProcess({ name: 'Proofgate', entry: bundle, nodeFlags: npmStartNodeFlags(), probePreload: bench.probePreload, env });
      try {
        const warm = await runLoad({ url: server.url, connections: settings.connections, ...prepared.warmup });
        const warmFailure = describeFailures(warm);
        if (warmFailure) throw new Error(`pass ${pass}, warm-up: ${warmFailure}`);
        await server.probe(false, false, 'start');
        const { answers, failed } = await timedClosedLoop(server.url, prepared.measure.requests[0]!, settings.verify.proofgateAmount, settings.connections);
        const { gcPauses = [] } = await server.probe(false, false, 'take');
        // As in the full bench: a failed request means the set-up or the server is broken, and the figures mean nothing.
        if (failed > 0 || answers.length === 0) throw new Error(`pass ${pass}: ${failed} verifies not answered 2xx`);
        summaries.push(summariseTail(answers, gcPauses));
      } finally {
        await server.stop();
      }
    }
    printReport(summaries, `${settings.verify.proofgateAmount} verifies each after ${settings.verify.warmupAmount} of warm-up, ${settings.connections} connections`);
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error && error.message.startsWith('--') ? `${error.message}: ${TAIL_USAGE}` : error);
  process.exit(1);
});
