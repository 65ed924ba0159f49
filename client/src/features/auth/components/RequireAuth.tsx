import { Navigate, Outlet, useLocation } from 'react-router';

import { paths, withNext } from '@/config/paths';
import { useSession } from '@/lib/session';

/**
 * The layout route of private pages: signed out (or once the session ends), on to
 * `/sign-in?next=<this page>`, which comes back here after signing in.
 */
export function RequireAuth() {
  const { signedIn } = useSession();
  const location = useLocation();
  if (!signedIn) {
    return (
      <Navigate to={withNext(paths.signIn, `${location.pathname}${location.search}`)} replace />
    );
  }
  return <Outlet />;
}
