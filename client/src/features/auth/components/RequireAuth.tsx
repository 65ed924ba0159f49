import { Navigate, Outlet, useLocation } from 'react-router';

import { paths, withNext } from '@/config/paths';
import { useSession } from '@/lib/session';

/**
 * The layout route of private pages. Signed out, on to `/sign-in?next=<this page>`, which comes
 * back here after signing in; that includes a session the server ends while the page is open.
 * After the user signs out from the menu, private pages go to the dashboard instead: the user is
 * leaving, not being asked to sign in again (until the next page load).
 */
export function RequireAuth() {
  const { signedIn, endedByUser } = useSession();
  const location = useLocation();
  if (signedIn) return <Outlet />;
  if (endedByUser) return <Navigate to={paths.dashboard} replace />;
  return <Navigate to={withNext(paths.signIn, `${location.pathname}${location.search}`)} replace />;
}
