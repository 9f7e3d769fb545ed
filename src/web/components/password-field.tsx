import { EyeIcon, EyeOffIcon } from 'lucide-react';
import { forwardRef, useState } from 'react';
import { PASSWORD_MIN_LENGTH } from '../lib/validate';
import { describedBy, FieldError } from './field-error';
import { Button } from './ui/button';
import { Input } from './ui/input';
import { Label } from './ui/label';

export { PASSWORD_MIN_LENGTH };

/**
 * A labelled password input with a show/hide toggle. `current` fields let password managers fill
 * a saved password; `new` fields carry the hint that says what the API will accept. Errors are
 * the app's own (`error`), never the browser's validation bubble.
 */
export const PasswordField = forwardRef<
  HTMLInputElement,
  {
    id: string;
    label: string;
    kind: 'current' | 'new';
    value: string;
    onChange: (value: string) => void;
    autoFocus?: boolean;
    error?: string | null;
  }
>(function PasswordField(props, ref) {
  const [visible, setVisible] = useState(false);
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  const isNew = props.kind === 'new';
  return (
    <div className="grid gap-2">
      <Label htmlFor={props.id}>{props.label}</Label>
      <div className="relative">
        <Input
          ref={ref}
          id={props.id}
          type={visible ? 'text' : 'password'}
          autoComplete={isNew ? 'new-password' : 'current-password'}
          autoCapitalize="none"
          spellCheck={false}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy(isNew && hintId, props.error && errorId)}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
          autoFocus={props.autoFocus}
          className="pr-11"
        />
        <Button
          type="button"
          variant="ghost"
          size="icon"
          className="absolute top-0.5 right-0.5 size-9 text-muted-foreground"
          aria-pressed={visible}
          aria-controls={props.id}
          onClick={() => setVisible(!visible)}
        >
          {visible ? <EyeOffIcon aria-hidden="true" /> : <EyeIcon aria-hidden="true" />}
          {/* Text, not aria-label: the field's label stays the only label that names "Password". */}
          <span className="sr-only">{visible ? 'Hide password' : 'Show password'}</span>
        </Button>
      </div>
      {isNew ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          At least {PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong, memorable password; common passwords are
          refused.
        </p>
      ) : null}
      <FieldError id={errorId} message={props.error} />
    </div>
  );
});
