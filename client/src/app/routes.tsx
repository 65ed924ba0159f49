import { Center, Loader } from '@mantine/core';
import type { RouteObject } from 'react-router';

import { AppLayout } from '@/app/layout/AppLayout';
import { LiveSignalsLayout } from '@/app/layout/LiveSignalsLayout';
import { DashboardPage } from '@/app/routes/DashboardPage';
import { AccountPage } from '@/app/routes/AccountPage';
import { ExchangeAccountsPage } from '@/app/routes/ExchangeAccountsPage';
import { NotFoundPage } from '@/app/routes/NotFoundPage';
import { paths } from '@/config/paths';
import { OidcCallbackPage } from '@/features/auth/components/OidcCallbackPage';
import {
  ForgotPasswordPage,
  ResetPasswordPage,
} from '@/features/auth/components/PasswordResetPages';
import { RequireAuth } from '@/features/auth/components/RequireAuth';
import { SignInPage } from '@/features/auth/components/SignInPage';
import { SignUpPage } from '@/features/auth/components/SignUpPage';

// The chart pages (lightweight-charts) load on first visit, not with the dashboard.
export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    // Shown while a lazy page loads on the very first visit.
    hydrateFallbackElement: (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    ),
    children: [
      {
        element: <LiveSignalsLayout />,
        children: [
          { index: true, element: <DashboardPage /> },
          {
            path: paths.signal.pattern,
            lazy: async () => ({
              Component: (await import('@/app/routes/SignalDetailPage')).SignalDetailPage,
            }),
          },
        ],
      },
      {
        path: paths.performance,
        lazy: async () => ({
          Component: (await import('@/app/routes/PerformancePage')).PerformancePage,
        }),
      },
      { path: paths.signIn, element: <SignInPage /> },
      { path: paths.signUp, element: <SignUpPage /> },
      { path: paths.forgotPassword, element: <ForgotPasswordPage /> },
      { path: paths.resetPassword, element: <ResetPasswordPage /> },
      { path: paths.authCallback, element: <OidcCallbackPage /> },
      // Signed in only: signed out, these redirect to /sign-in?next=<page> and come back.
      {
        element: <RequireAuth />,
        children: [
          { path: paths.exchangeAccounts, element: <ExchangeAccountsPage /> },
          { path: paths.account, element: <AccountPage /> },
          {
            path: paths.strategies,
            lazy: async () => ({
              Component: (await import('@/app/routes/StrategiesPage')).StrategiesPage,
            }),
          },
          {
            path: paths.backtests,
            lazy: async () => ({
              Component: (await import('@/app/routes/BacktestsPage')).BacktestsPage,
            }),
          },
          {
            path: paths.trading,
            lazy: async () => ({
              Component: (await import('@/app/routes/TradingPage')).TradingPage,
            }),
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
