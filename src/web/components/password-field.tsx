import { Input } from './ui/input';
import { Label } from './ui/label';

/** The API's minimum (NIST 800-63B policy in src/server/auth/password-policy.ts). */
export const PASSWORD_MIN_LENGTH = 12;

/**
 * A labelled password input. `current` fields let password managers fill a saved password;
 * `new` fields get the minimum length and the hint that says what the API will accept.
 */
export function PasswordField(props: {
  id: string;
  label: string;
  kind: 'current' | 'new';
  value: string;
  onChange: (value: string) => void;
  autoFocus?: boolean;
}) {
  const hintId = `${props.id}-hint`;
  const isNew = props.kind === 'new';
  return (
    <div className="grid gap-2">
      <Label htmlFor={props.id}>{props.label}</Label>
      <Input
        id={props.id}
        type="password"
        autoComplete={isNew ? 'new-password' : 'current-password'}
        {...(isNew ? { minLength: PASSWORD_MIN_LENGTH, 'aria-describedby': hintId } : {})}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        required
        autoFocus={props.autoFocus}
      />
      {isNew ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          At least {PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong, memorable password; common passwords are
          refused.
        </p>
      ) : null}
    </div>
  );
}
