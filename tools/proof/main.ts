import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, checkAll, statusOf } from './checks/result';
import { checkNoSecretInImages, checkScreenshotsMasked } from './checks/images';
import { checkNoSecretInFiles, checkServerLogClean, type RecordedSecret } from './checks/redaction';
import type { CheckResult, ProofItem, WrittenFile } from './evidence';
import { evaluateAll } from './items';
import { buildReport } from './report/build';
import { renderHtml } from './report/html';
import { renderMarkdown } from './report/markdown';
import { verdictOf, type ProofReport } from './report/model';
import { commandTranscript, gitTranscript, itemTranscript, serverLogTranscript } from './report/transcripts';
import { runProof } from './run';
import { createReportDir, readAllFiles, writeText } from './write';

/**
 * npm run proof [-- --no-browser]
 *
 * Reproduces every seed proof item against live servers with curl and SQL, runs the guard and
 * the browser tests, and writes proof/<timestamp>/report.md, report.html and transcripts/.
 * Exits 1 when any expectation fails.
 */
const USAGE = `Usage: npm run proof [-- --no-browser]

  --no-browser   skip the browser tests (the screenshots item is then NOT RUN, never passed)
  --help         this text

Environment (all optional):
  DATABASE_URL   a PostgreSQL server: the proof creates a fresh database on it for this run
  REDIS_URL      Redis for the throttling counters (a key prefix unique to the run)
  TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET)
    + TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID)
                 real Twilio instead of the project's fake; then also:
  PROOF_SMS_TO   the phone number (E.164) that receives the test SMS; it must pass the SMS geo
                 permissions (SMS_ALLOWED_COUNTRIES, default the country of TWILIO_FROM_NUMBER)`;

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface FileScan {
  files: CheckResult;
  images: CheckResult;
  masks: CheckResult;
}

/** The scan of the folder as written: bytes of every file, QR codes in every PNG, the screenshots' masks. */
function scanFolder(files: readonly WrittenFile[], secrets: readonly RecordedSecret[]): FileScan {
  return { files: checkNoSecretInFiles(files, secrets), images: checkNoSecretInImages(files, secrets), masks: checkScreenshotsMasked(files) };
}

function redactionItem(base: FileScan & { log: CheckResult; temp: CheckResult }): ProofItem {
  const checks = [base.files, base.images, base.masks, base.log, base.temp];
  return {
    id: 'REDACTION',
    title: 'No secret in any written file',
    proves:
      'Cookies, temp tokens, TOTP secrets and codes, backup codes, passwords, keys and Twilio credentials are masked everywhere the proof wrote, in text and in pictures: no PNG holds a readable QR code with a secret, and the screenshots cover the QR code, the manual key and the backup codes with solid blocks.',
    status: statusOf(checks),
    checks,
    evidence: [],
  };
}

/** A screenshot's bytes for report.html; only files inside the report folder. */
function readImage(dir: string, src: string): Uint8Array | undefined {
  const file = path.resolve(dir, src);
  if (!file.startsWith(`${path.resolve(dir)}${path.sep}`) || !fs.existsSync(file)) return undefined;
  return fs.readFileSync(file);
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--no-browser');
  if (unknown.length > 0) {
    console.error(`proof: unknown argument ${unknown.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const browser = !argv.includes('--no-browser');
  const startedAtMs = Date.now();
  const { dir, name } = createReportDir(path.join(repoRoot, 'proof'), startedAtMs);
  console.log(`proof: writing ${path.relative(process.cwd(), dir) || dir}${browser ? ' (browser tests running alongside)' : ' (--no-browser)'}`);

  const outcome = await runProof({ repoRoot, browser, env: process.env, command: `npm run proof${browser ? '' : ' -- --no-browser'}` }, dir, startedAtMs);
  const { evidence, recorder, secrets } = outcome;
  const items = evaluateAll(evidence, recorder.exchanges, secrets.list());

  const secretList = secrets.list();
  const logCheck = checkServerLogClean(evidence.serverLogLines, secretList);
  const tempCheck = check('the cookie jars and the temporary DATA_DIR (outside this folder) were deleted before writing', outcome.tempRootRemoved, outcome.tempRootRemoved ? 'deleted' : 'still present');
  const pending = checkAll('the written files were scanned', ['the scan has not run yet'], '');
  const pendingScan: FileScan = { files: pending, images: pending, masks: pending };

  const report: ProofReport = {
    folderName: name,
    items: [...items, redactionItem({ ...pendingScan, log: logCheck, temp: tempCheck })],
    run: { ...outcome.reportRun },
    git: outcome.git,
    guard: evidence.guard,
    browser: { run: evidence.browser.run, skipped: evidence.browser.skipped, copied: outcome.screenshotsCopied },
    transcripts: [],
    scan: undefined,
  };
  report.transcripts = [
    ...items.filter((i) => i.evidence.length > 0).map((i) => itemTranscript(i, secrets)),
    commandTranscript('guard.txt', evidence.guard, secrets),
    commandTranscript('browser-tests.txt', evidence.browser.run, secrets),
    serverLogTranscript(outcome.logLines, secrets),
    gitTranscript(outcome.git),
  ];

  const writeAll = () => {
    const finishedAtMs = Date.now();
    report.run.finishedAt = new Date(finishedAtMs).toISOString();
    report.run.durationMs = finishedAtMs - startedAtMs;
    for (const t of report.transcripts) writeText(dir, path.join('transcripts', t.file), t.contents);
    const blocks = buildReport(report, secrets);
    writeText(dir, 'report.md', renderMarkdown(blocks));
    // The screenshots go into report.html as data: URIs, so the file stands alone when moved.
    writeText(dir, 'report.html', renderHtml(`Proofgate proof — ${name}`, blocks, (src) => readImage(dir, src)));
    writeText(
      dir,
      'summary.json',
      `${JSON.stringify({ verdict: verdictOf(report.items), items: report.items.map((i) => ({ id: i.id, status: i.status, failed: i.checks.filter((c) => !c.passed).map((c) => c.expectation) })) }, null, 2)}\n`,
    );
  };

  // Write, scan the bytes on disk, write again with the scan's verdict, and scan once more:
  // the second scan covers the report as it finally stands.
  writeAll();
  let files = readAllFiles(dir);
  for (let pass = 0; pass < 2; pass += 1) {
    const scan = scanFolder(files, secretList);
    report.items[report.items.length - 1] = redactionItem({ ...scan, log: logCheck, temp: tempCheck });
    report.scan = {
      files: files.map((f) => f.path),
      secretKinds: secretList.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.kind]: (acc[s.kind] ?? 0) + 1 }), {}),
    };
    writeAll();
    files = readAllFiles(dir);
  }
  const finalChecks = Object.values(scanFolder(files, secretList));
  const finalScan = checkAll('the final scan of the written files', finalChecks.filter((c) => !c.passed).map((c) => `${c.expectation}: ${c.observed}`), 'clean');
  const verdict = verdictOf(report.items);

  for (const item of report.items) {
    const failed = item.checks.filter((c) => !c.passed);
    console.log(`${item.status.padEnd(7)} ${item.id.padEnd(11)} ${item.title}`);
    for (const c of failed) console.log(`          FAIL ${c.expectation}\n               observed: ${secrets.redactText(c.observed)}`);
    if (item.status === 'NOT RUN') console.log(`          ${item.notRunReason ?? ''}`);
  }
  if (!finalScan.passed) console.error(`proof: the final scan of the written files failed: ${secrets.redactText(finalScan.observed)}`);
  console.log(`proof: ${verdict} in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s — ${path.relative(process.cwd(), path.join(dir, 'report.md'))}`);
  return verdict === 'PASS' && finalScan.passed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`proof: could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
