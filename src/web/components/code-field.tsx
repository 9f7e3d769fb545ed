import type { ComponentProps } from 'react';
import { Input } from './ui/input';
import { Label } from './ui/label';

/** A 6-digit authenticator code: numeric keypad on phones, autofill from SMS/OTP managers. */
export function CodeField({
  id,
  label = 'Authentication code',
  value,
  onChange,
  ...props
}: { id: string; label?: string; value: string; onChange: (value: string) => void } & Omit<ComponentProps<'input'>, 'value' | 'onChange'>) {
  return (
    <div className="grid gap-2">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        name="code"
        value={value}
        onChange={(event) => onChange(event.target.value.replace(/\D/g, '').slice(0, 6))}
        autoComplete="one-time-code"
        inputMode="numeric"
        pattern="[0-9]*"
        maxLength={6}
        placeholder="123456"
        required
        className="max-w-48 font-mono text-lg tracking-[0.3em]"
        {...props}
      />
    </div>
  );
}

/** A backup code as printed (xxxxx-xxxxx-xxxxx); any case, spaces and dashes are accepted by the API. */
export function BackupCodeField({
  id,
  value,
  onChange,
  ...props
}: { id: string; value: string; onChange: (value: string) => void } & Omit<ComponentProps<'input'>, 'value' | 'onChange'>) {
  return (
    <div className="grid gap-2">
      <Label htmlFor={id}>Backup code</Label>
      <Input
        id={id}
        name="backup_code"
        value={value}
        onChange={(event) => onChange(event.target.value.slice(0, 32))}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        maxLength={32}
        placeholder="xxxxx-xxxxx-xxxxx"
        required
        className="max-w-64 font-mono"
        {...props}
      />
    </div>
  );
}
