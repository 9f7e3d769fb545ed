import { forwardRef } from 'react';
import { describedBy, FieldError } from './field-error';
import { Input } from './ui/input';
import { Label } from './ui/label';

/** The email field of sign-in and sign-up, with the app's own error line. */
export const EmailField = forwardRef<
  HTMLInputElement,
  { id?: string; value: string; onChange: (value: string) => void; error?: string | null }
>(function EmailField({ id = 'email', value, onChange, error }, ref) {
  const errorId = `${id}-error`;
  return (
    <div className="grid gap-2">
      <Label htmlFor={id}>Email</Label>
      <Input
        ref={ref}
        id={id}
        type="email"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(error && errorId)}
      />
      <FieldError id={errorId} message={error} />
    </div>
  );
});
