import { ActivityIcon, MessageSquareIcon, ShieldCheckIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { useMe } from '../hooks/use-me';
import { cn } from '../lib/utils';
import { SignOutButton } from './sign-out-button';

function NavItem({ to, icon, children }: { to: string; icon: ReactNode; children: ReactNode }) {
  return (
    <NavLink
      to={to}
      className={({ isActive }) =>
        cn(
          'inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none [&_svg]:size-4',
          isActive && 'bg-accent text-foreground',
        )
      }
    >
      {icon}
      {children}
    </NavLink>
  );
}

/** The signed-in frame: brand, navigation (ops pages only for admins), who is signed in, sign out. */
export function AppLayout() {
  const me = useMe();
  const isAdmin = me.data?.user.is_admin === true;

  return (
    <div className="min-h-dvh">
      <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-card focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <header className="border-b bg-card">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <NavLink to="/settings/security" className="flex items-center gap-2 font-semibold tracking-tight">
            <ShieldCheckIcon className="size-5" aria-hidden="true" />
            Proofgate
          </NavLink>
          <nav aria-label="Main" className="order-last flex w-full flex-wrap gap-1 sm:order-none sm:w-auto">
            <NavItem to="/settings/security" icon={<ShieldCheckIcon aria-hidden="true" />}>
              Security
            </NavItem>
            {isAdmin ? (
              <>
                <NavItem to="/ops/alerts" icon={<MessageSquareIcon aria-hidden="true" />}>
                  OpsAlerts
                </NavItem>
                <NavItem to="/ops/status" icon={<ActivityIcon aria-hidden="true" />}>
                  System status
                </NavItem>
              </>
            ) : null}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-2">
            <span className="hidden truncate text-sm text-muted-foreground sm:inline" data-testid="signed-in-as">
              {me.data?.user.email}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-5xl px-4 py-6 outline-none sm:py-8">
        <Outlet />
      </main>
    </div>
  );
}

/** Signed-out pages (sign in, sign up): a centred column. */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-dvh flex-col items-center justify-start px-4 py-10 sm:justify-center sm:py-12">
      <div className="mb-6 flex items-center gap-2 text-lg font-semibold tracking-tight">
        <ShieldCheckIcon className="size-6" aria-hidden="true" />
        Proofgate
      </div>
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div className="grid gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}
