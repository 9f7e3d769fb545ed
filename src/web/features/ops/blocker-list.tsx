import { OctagonAlertIcon, TriangleAlertIcon, WrenchIcon } from 'lucide-react';
import { CopyButton } from '../../components/copy-button';
import { Alert, AlertDescription, AlertTitle } from '../../components/ui/alert';
import type { SystemBlocker } from '../../lib/api-types';
import { commandsIn } from './system-words';

/** Each blocker with what it means, its fix, and a copy button for every command in the fix. */
export function BlockerList({ blockers }: { blockers: readonly SystemBlocker[] }) {
  return (
    <ol className="grid gap-3" data-testid="blockers">
      {blockers.map((blocker) => {
        const blocking = blocker.severity !== 'degraded';
        return (
          <li key={blocker.code}>
            <Alert variant={blocking ? 'destructive' : 'warning'}>
              {blocking ? <OctagonAlertIcon aria-hidden="true" /> : <TriangleAlertIcon aria-hidden="true" />}
              <AlertTitle className="flex flex-wrap items-center gap-2">
                {blocker.message}
                <span className="text-xs font-normal text-muted-foreground">{blocking ? 'Blocks real use' : 'Needs attention'}</span>
              </AlertTitle>
              <AlertDescription>
                <p className="flex gap-1.5 text-foreground">
                  <WrenchIcon className="mt-1 size-3.5 shrink-0" aria-hidden="true" />
                  <span>
                    <span className="font-medium">Fix: </span>
                    {blocker.fix}
                  </span>
                </p>
                {commandsIn(blocker.fix).map((command) => (
                  <div key={command} className="flex max-w-full flex-wrap items-center gap-2">
                    <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs break-all text-foreground">{command}</code>
                    <CopyButton text={command} label="Copy command" />
                  </div>
                ))}
                <p className="text-xs">
                  Code: <code className="font-mono text-foreground">{blocker.code}</code>
                </p>
              </AlertDescription>
            </Alert>
          </li>
        );
      })}
    </ol>
  );
}
