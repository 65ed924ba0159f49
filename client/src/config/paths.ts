/** The app's URLs, in one place: routes are declared from these and links are built with them. */
export const paths = {
  dashboard: '/',
  strategies: '/strategies',
  backtests: '/backtests',
  trading: '/trading',
  performance: '/performance',
  signal: {
    pattern: '/signals/:id',
    build: (id: number) => `/signals/${id}`,
  },
  signIn: '/sign-in',
  signUp: '/sign-up',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password',
  authCallback: '/auth/callback',
  account: '/account',
  exchangeAccounts: '/exchange-accounts',
} as const;

/**
 * `next` as a path on this site, or `/`. Only a local path may follow sign-in: `//evil.example`
 * and `https://...` would send a freshly signed-in user elsewhere.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Back to the sign-in pages would only loop.
  const path = next.split(/[?#]/)[0] ?? '/';
  const authPages: string[] = [paths.signIn, paths.signUp, paths.authCallback];
  return authPages.includes(path) ? '/' : next;
}

/** `base?next=<next>`, dropping a `next` of `/` (the default anyway). */
export function withNext(base: string, next: string): string {
  const safe = safeNextPath(next);
  return safe === '/' ? base : `${base}?next=${encodeURIComponent(safe)}`;
}
