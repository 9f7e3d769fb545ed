import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <div className="mx-auto grid max-w-xl gap-3 py-10 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="text-sm text-muted-foreground">There is nothing at this address.</p>
      <p>
        <Link to="/" className="text-sm font-medium underline underline-offset-4">
          Go to the start page
        </Link>
      </p>
    </div>
  );
}
