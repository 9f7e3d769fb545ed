import { ShieldCheckIcon } from 'lucide-react';

/** The shell the pages plug into. */
export function App() {
  return (
    <main id="main" className="flex min-h-dvh items-center justify-center px-4">
      <h1 className="flex items-center gap-2 text-2xl font-semibold tracking-tight">
        <ShieldCheckIcon className="size-6" aria-hidden="true" />
        Proofgate
      </h1>
    </main>
  );
}
