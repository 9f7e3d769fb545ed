import { AlertCircleIcon } from 'lucide-react';

/** A field's own error line, tied to its input by id (aria-describedby) and styled like the app's alerts. */
export function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="flex items-start gap-1.5 text-sm text-destructive" data-testid={id}>
      <AlertCircleIcon className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
      <span>{message}</span>
    </p>
  );
}

/** The describedby list of a field: its hint and, while there is one, its error. */
export function describedBy(...ids: Array<string | false | null | undefined>): string | undefined {
  const present = ids.filter((id): id is string => Boolean(id));
  return present.length > 0 ? present.join(' ') : undefined;
}
