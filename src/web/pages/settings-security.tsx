import { PageHeader } from '../components/layout';
import { ChangePasswordCard } from '../features/account/change-password-card';
import { PasskeysCard } from '../features/passkeys/passkeys-card';
import { SessionsCard } from '../features/sessions/sessions-card';
import { SecurityActivity } from '../features/two-factor/security-activity';
import { TwoFactorCard } from '../features/two-factor/two-factor-card';
import { useMe } from '../hooks/use-me';

/** Settings → Security: two-factor authentication, the password, and the account's recent security activity. */
export function SettingsSecurityPage() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Security settings" description={me.data ? `Signed in as ${me.data.user.email}` : undefined} />
      <div className="grid gap-6">
        <TwoFactorCard />
        <PasskeysCard />
        <ChangePasswordCard />
        <SessionsCard />
        <SecurityActivity />
      </div>
    </>
  );
}
