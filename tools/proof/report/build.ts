import { EXPECTED_SCREENSHOTS } from '../checks/screenshots';
import type { ProofItem } from '../evidence';
import { maskSecret, maskUrlCredentials, type SecretRegistry } from '../redact';
import { code, heading, images, list, paragraph, table, type Block } from './document';
import { formatExchange, formatSql } from './format';
import { verdictOf, type ProofReport } from './model';

/** ProofReport → blocks; every string that could hold a secret goes through the registry. */

const SECRET_ENV = /(KEY|TOKEN|SECRET|PASSWORD)$/;

export function describeEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => {
      if (SECRET_ENV.test(name) || name === 'TWILIO_ACCOUNT_SID' || name === 'TWILIO_API_KEY_SID') return `${name}=${maskSecret(value)}`;
      if (name.endsWith('_URL')) return `${name}=${maskUrlCredentials(value)}`;
      return `${name}=${value}`;
    })
    .join(' ');
}

function summaryRow(item: ProofItem): string[] {
  const failed = item.checks.filter((c) => !c.passed).map((c) => `${c.expectation}: ${c.observed}`);
  const detail = item.status === 'NOT RUN' ? (item.notRunReason ?? 'not run') : failed.length > 0 ? failed.join('\n') : '—';
  const passedCount = item.checks.filter((c) => c.passed).length;
  return [`[**${item.id}**](#item-${item.id.toLowerCase()}) ${item.title}`, item.status, `${passedCount}/${item.checks.length}`, item.proves, detail];
}

function itemBlocks(item: ProofItem, secrets: SecretRegistry): Block[] {
  const blocks: Block[] = [heading(3, `${item.id} — ${item.title}: ${item.status}`, `item-${item.id.toLowerCase()}`), paragraph(item.proves)];
  if (item.status === 'NOT RUN') blocks.push(paragraph(`NOT RUN: ${item.notRunReason ?? ''}`));
  blocks.push(list(item.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.expectation} — observed: ${c.observed}`)));
  for (const entry of item.evidence) {
    if (entry.kind === 'http') {
      const note = entry.exchange.note ? ` (${entry.exchange.note})` : '';
      blocks.push(code(formatExchange(entry.exchange, secrets, 'relevant'), `${entry.exchange.id}: ${entry.exchange.title}${note}`));
    } else if (entry.kind === 'sql') {
      blocks.push(code(formatSql(entry.sql, secrets), `${entry.sql.id}: ${entry.sql.title}`));
    } else {
      blocks.push(paragraph(entry.text));
    }
  }
  return blocks;
}

export function buildReport(report: ProofReport, secrets: SecretRegistry): Block[] {
  const verdict = verdictOf(report.items);
  const failed = report.items.filter((i) => i.status === 'FAIL').map((i) => i.id);
  const notRun = report.items.filter((i) => i.status === 'NOT RUN').map((i) => i.id);
  const passed = report.items.filter((i) => i.status === 'PASS').length;
  const { run, git } = report;
  const blocks: Block[] = [
    heading(1, `Proofgate proof — ${report.folderName}`),
    paragraph(
      `**Verdict: ${verdict}** — ${passed} of ${report.items.length} items passed` +
        (failed.length > 0 ? `; FAILED: ${failed.join(', ')}` : '') +
        (notRun.length > 0 ? `; NOT RUN (proves nothing): ${notRun.join(', ')}` : '') +
        `. \`${run.command}\` exited ${verdict === 'PASS' ? 0 : 1}. Every line below is an assertion over evidence recorded in this run; a failed expectation fails its item and the command.`,
    ),
    heading(2, 'Summary', 'summary'),
    table(['Item', 'Result', 'Checks passed', 'What it proves', 'Failed expectations'], report.items.map(summaryRow)),
    paragraph('Sections: [how this run was made](#run) · [items and evidence](#items) · [guard output](#guard) · [screenshots](#screenshots) · [changes by scope](#changes) · [transcripts](#transcripts) · [redaction scan](#redaction)'),
    heading(2, 'How this run was made', 'run'),
    list([
      `Started ${run.startedAt}, finished ${run.finishedAt}: ${(run.durationMs / 1000).toFixed(1)} s`,
      `Command: \`${run.command}\` — Node ${run.nodeVersion}, ${run.curlVersion}`,
      git.isGit
        ? `Code: commit \`${git.head}\` on branch \`${git.branch}\`${git.uncommitted.length > 0 ? ` with ${git.uncommitted.length} uncommitted change(s) (the proof ran on the working tree as it is)` : ', working tree clean'}`
        : `Code: ${git.reason}`,
      `Database: ${run.database}`,
      `Limiter store: ${run.limiterStore}`,
      `Twilio: ${run.twilio}`,
      ...run.servers.map((s) => `Server ${s.name} (${s.role}) at ${s.url}, real clock, configured only with: \`${describeEnv(s.env)}\``),
      ...run.notes,
      'Every secret is masked as `[redacted]`, whatever its kind or length: a mask shows no prefix and no length. In the screenshots, the QR code, the manual key and the backup codes are covered by solid black blocks before the picture is taken (see the REDACTION item for the check on the PNGs).',
    ]),
    heading(2, 'Items and their evidence', 'items'),
  ];
  for (const item of report.items) blocks.push(...itemBlocks(item, secrets));

  blocks.push(heading(2, 'Guard output', 'guard'));
  blocks.push(report.guard ? code(`$ npm run guard   (exit ${String(report.guard.exitCode)}, ${(report.guard.durationMs / 1000).toFixed(1)} s)\n${report.guard.output.trim()}`) : paragraph('The guard did not run.'));

  blocks.push(heading(2, 'Screenshots', 'screenshots'));
  if (report.browser.skipped) blocks.push(paragraph('NOT RUN: `--no-browser` was given.'));
  else {
    const b = report.browser.run;
    blocks.push(
      paragraph(
        `From \`npx vitest run --project browser\` (exit ${String(b?.exitCode)}, ${((b?.durationMs ?? 0) / 1000).toFixed(1)} s), which drives Debian Chromium through the UI against its own in-process server and Twilio fake; each screen at 1280×800 and 390×844. Every screenshot is taken by one helper that covers each element the UI marks \`data-sensitive\` (the QR code and the manual key on \`setup-qr\`, the backup codes on \`backup-codes-once\`) with a solid black block, and records where (\`screenshots/*.masks.json\`). In report.html the pictures are embedded; report.md links to \`screenshots/\`. Full output: \`transcripts/browser-tests.txt\`.`,
      ),
    );
    // The story's order first (sign-in → setup → … → system status), then any other screen.
    const copiedNames = [...new Set(report.browser.copied.map((f) => f.replace(/\.(desktop|mobile)\.png$/, '')))];
    const names = [...EXPECTED_SCREENSHOTS.filter((n) => copiedNames.includes(n)), ...copiedNames.filter((n) => !(EXPECTED_SCREENSHOTS as readonly string[]).includes(n))];
    for (const name of names) {
      blocks.push(heading(3, name));
      blocks.push(
        images(
          ['desktop', 'mobile']
            .filter((size) => report.browser.copied.includes(`${name}.${size}.png`))
            .map((size) => ({ src: `screenshots/${name}.${size}.png`, caption: `${name} — ${size === 'desktop' ? '1280×800' : '390×844'}` })),
        ),
      );
    }
  }

  blocks.push(heading(2, 'Changes by feature (Conventional Commit scope)', 'changes'));
  if (!git.isGit) blocks.push(paragraph(git.reason));
  else {
    blocks.push(paragraph(`From \`git log --name-only\` on \`${git.branch}\` at \`${git.head}\`: ${git.commits.length} commits.`));
    for (const group of git.groups) {
      blocks.push(heading(3, `${group.scope} — ${group.commits.length} commit(s), ${group.files.length} file(s)`));
      blocks.push(list(group.commits.map((c) => `\`${c.hash}\` ${c.subject}`)));
      blocks.push(code(group.files.join('\n') || '(no files)', `Files touched by ${group.scope}`));
    }
  }

  blocks.push(heading(2, 'Transcripts', 'transcripts'));
  blocks.push(list(report.transcripts.map((t) => `\`transcripts/${t.file}\``)));

  blocks.push(heading(2, 'Redaction scan', 'redaction'));
  if (report.scan) {
    blocks.push(
      paragraph(
        `After writing, every file in this folder was read back as bytes and searched for every raw secret the proof saw (${Object.entries(report.scan.secretKinds)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(', ')}). Six-digit TOTP codes are searched in the text files, as a token of their own. Every PNG (each file, and each picture embedded in report.html) was also decoded and read with a QR reader (jsQR): a QR code holding an \`otpauth://\` URL or any recorded secret fails the scan. For each screenshot, its masks manifest must exist, the screens that show secrets must list a mask for each, and every listed box must be solid black in the PNG, pixel for pixel. Text drawn in a picture is not read (no OCR): the masks are what keep the manual key and the backup codes out of the screenshots. The cookie jars and the temporary DATA_DIR lived outside this folder and were deleted before the report was written. Files scanned:`,
      ),
    );
    blocks.push(code(report.scan.files.join('\n')));
  } else blocks.push(paragraph('The scan has not run yet.'));
  return blocks.map((block) => redactBlock(block, secrets));
}

/** Last line of defence: any recorded secret left in any text of the report is masked. */
function redactBlock(block: Block, secrets: SecretRegistry): Block {
  const r = (text: string) => secrets.redactText(text);
  switch (block.kind) {
    case 'heading':
    case 'paragraph':
      return { ...block, text: r(block.text) };
    case 'list':
      return { ...block, items: block.items.map(r) };
    case 'table':
      return { ...block, header: block.header.map(r), rows: block.rows.map((row) => row.map(r)) };
    case 'code':
      return { ...block, text: r(block.text), ...(block.title ? { title: r(block.title) } : {}) };
    case 'images':
      return block;
  }
}
