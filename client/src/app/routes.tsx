import type { RouteObject } from 'react-router';

import { AppLayout } from '@/app/layout/AppLayout';
import { LiveSignalsLayout } from '@/app/layout/LiveSignalsLayout';
import { DashboardPage } from '@/app/routes/DashboardPage';
import { NotFoundPage } from '@/app/routes/NotFoundPage';
import { PerformancePage } from '@/app/routes/PerformancePage';
import { SignalDetailPage } from '@/app/routes/SignalDetailPage';
import { StrategiesPage } from '@/app/routes/StrategiesPage';
import { paths } from '@/config/paths';

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    children: [
      {
        element: <LiveSignalsLayout />,
        children: [
          { index: true, element: <DashboardPage /> },
          { path: paths.signal.pattern, element: <SignalDetailPage /> },
        ],
      },
      { path: paths.strategies, element: <StrategiesPage /> },
      { path: paths.performance, element: <PerformancePage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
