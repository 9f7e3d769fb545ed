import { Checkbox } from '../../components/ui/checkbox';
import { Label } from '../../components/ui/label';

/**
 * The second-factor step's opt-in: this browser skips the code (never the password) for `days`.
 * Hidden when the server has the feature off (TWO_FACTOR_REMEMBER_DAYS=0).
 */
export function RememberBrowserField({ days, checked, onChange }: { days: number; checked: boolean; onChange: (value: boolean) => void }) {
  if (days <= 0) return null;
  return (
    <div className="flex items-start gap-3">
      <Checkbox id="remember-browser" checked={checked} onCheckedChange={(value) => onChange(value === true)} className="mt-0.5" />
      <div className="grid gap-1">
        <Label htmlFor="remember-browser">Remember this browser for {days} days</Label>
        <p className="text-xs text-muted-foreground">You will still need your password. Do not use this on a shared computer.</p>
      </div>
    </div>
  );
}
