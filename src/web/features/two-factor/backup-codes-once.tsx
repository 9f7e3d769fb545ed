import { DownloadIcon, PrinterIcon, TriangleAlertIcon } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { CopyButton } from '../../components/copy-button';
import { Alert, AlertDescription, AlertTitle } from '../../components/ui/alert';
import { Button } from '../../components/ui/button';
import { Checkbox } from '../../components/ui/checkbox';
import { Label } from '../../components/ui/label';
import { unsavedCodes } from '../../lib/unsaved-codes';
import { LeaveGuard } from './leave-guard';

export const BACKUP_CODES_FILE_NAME = 'proofgate-backup-codes.txt';

export function backupCodesFileText(codes: readonly string[], account: string, generatedAt: Date): string {
  return [
    `Proofgate backup codes for ${account}`,
    `Generated ${generatedAt.toISOString()}`,
    'Each code signs you in once when you cannot use your authenticator app. Keep them private.',
    '',
    ...codes,
    '',
  ].join('\n');
}

/** Saves the codes as a .txt file from memory: a Blob behind a short-lived object URL, never a server round trip. */
function downloadText(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The backup codes, shown exactly once. They live only in the state of the component that
 * received them from the API; "Continue" drops them, and a reload cannot bring them back.
 */
export function BackupCodesOnce({
  codes,
  account,
  heading,
  onDone,
}: {
  codes: readonly string[];
  account: string;
  heading: string;
  onDone: () => void;
}) {
  const [saved, setSaved] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  const text = codes.join('\n');

  // Until "saved" is ticked, leaving (reload, close, sign out) asks first: the codes never come back.
  useEffect(() => {
    unsavedCodes.set(!saved);
    if (saved) return undefined;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older Chromium needs returnValue set to show the prompt.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [saved]);
  useEffect(() => () => unsavedCodes.set(false), []);

  return (
    <div className="grid gap-4" data-testid="backup-codes">
      <LeaveGuard active={!saved} />
      <h3 ref={headingRef} tabIndex={-1} className="text-base font-semibold outline-none">
        {heading}
      </h3>
      <Alert variant="warning">
        <TriangleAlertIcon aria-hidden="true" />
        <AlertTitle>Save these codes now: they will not be shown again</AlertTitle>
        <AlertDescription>
          <p>Each code signs you in once if you lose your phone. Store them in a password manager or print them.</p>
        </AlertDescription>
      </Alert>
      {/* data-print-area: printing shows only this block (styles.css @media print). */}
      <div data-print-area className="grid gap-2">
        <p className="hidden font-semibold print:block">Proofgate backup codes for {account}</p>
        <p className="hidden text-sm print:block">Each code signs you in once when you cannot use your authenticator app. Keep them private.</p>
        {/* data-sensitive: the browser tests' screenshots mask what it marks (here, every code). */}
        <ol
          aria-label="Backup codes"
          data-sensitive="backup-codes"
          className="grid grid-cols-1 gap-2 rounded-lg border bg-muted p-4 font-mono text-sm min-[420px]:grid-cols-2">
          {codes.map((code) => (
            <li key={code} className="rounded-md bg-card px-3 py-1.5 text-center tracking-wide select-all" data-testid="backup-code">
              {code}
            </li>
          ))}
        </ol>
      </div>
      <div className="flex flex-wrap gap-2">
        <CopyButton text={text} label="Copy codes" />
        <Button
          type="button"
          variant="outline"
          size="sm"
          onClick={() => downloadText(BACKUP_CODES_FILE_NAME, backupCodesFileText(codes, account, new Date()))}
        >
          <DownloadIcon aria-hidden="true" />
          Download .txt
        </Button>
        <Button type="button" variant="outline" size="sm" onClick={() => window.print()}>
          <PrinterIcon aria-hidden="true" />
          Print
        </Button>
      </div>
      <div className="flex items-start gap-3">
        <Checkbox id="codes-saved" checked={saved} onCheckedChange={(value) => setSaved(value === true)} className="mt-0.5" />
        <Label htmlFor="codes-saved" className="leading-snug">
          I have saved these backup codes somewhere safe
        </Label>
      </div>
      <div>
        <Button type="button" onClick={onDone} disabled={!saved}>
          Continue
        </Button>
      </div>
    </div>
  );
}
