import { ErrorAlert, LockoutAlert } from '../../components/error-alert';
import { FactorInput } from './factor-input';
import type { FactorDialog } from './use-factor-dialog';

/** What a second-factor dialog shows between its header and its buttons: the refusal (or lockout) and the factor field. */
export function FactorDialogBody({ dialog, idPrefix, errorTitle }: { dialog: FactorDialog; idPrefix: string; errorTitle: string }) {
  return (
    <>
      {dialog.lockout ? <LockoutAlert lockout={dialog.lockout} secondsLeft={dialog.secondsLeft} /> : <ErrorAlert error={dialog.error} title={errorTitle} />}
      <FactorInput idPrefix={idPrefix} {...dialog.field} />
    </>
  );
}
