import { BanIcon } from 'lucide-react';
import { Link } from 'react-router-dom';
import { Alert, AlertDescription, AlertTitle } from '../components/ui/alert';
import { useMe } from '../hooks/use-me';

/** Shown on admin pages to everyone else; the API refuses their data with 403 FORBIDDEN anyway. */
export function NotAllowed({ page }: { page: string }) {
  const me = useMe();
  return (
    <div className="mx-auto grid max-w-xl min-w-0 gap-4 py-6">
      <h1 className="text-2xl font-semibold tracking-tight">{page}</h1>
      <Alert variant="destructive" data-testid="not-allowed">
        <BanIcon aria-hidden="true" />
        <AlertTitle>Not allowed</AlertTitle>
        <AlertDescription>
          <p>
            This page is for administrators. {me.data ? <>You are signed in as <span className="wrap-anywhere">{me.data.user.email}</span>, which is not an administrator account.</> : null}
          </p>
          <p>
            <Link to="/settings/security" className="font-medium text-foreground underline underline-offset-4">
              Back to your security settings
            </Link>
          </p>
        </AlertDescription>
      </Alert>
    </div>
  );
}
