import { Center, Loader } from '@mantine/core';
import type { RouteObject } from 'react-router';

import { AppLayout } from '@/app/layout/AppLayout';
import { LiveSignalsLayout } from '@/app/layout/LiveSignalsLayout';
import { DashboardPage } from '@/app/routes/DashboardPage';
import { NotFoundPage } from '@/app/routes/NotFoundPage';
import { StrategiesPage } from '@/app/routes/StrategiesPage';
import { paths } from '@/config/paths';

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
      { path: paths.strategies, element: <StrategiesPage /> },
      {
        path: paths.performance,
        lazy: async () => ({
          Component: (await import('@/app/routes/PerformancePage')).PerformancePage,
        }),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
