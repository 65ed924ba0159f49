import type { RouteObject } from 'react-router';

import { AppLayout } from '@/app/layout/AppLayout';
import { DashboardPage } from '@/app/routes/DashboardPage';
import { NotFoundPage } from '@/app/routes/NotFoundPage';
import { PerformancePage } from '@/app/routes/PerformancePage';
import { StrategiesPage } from '@/app/routes/StrategiesPage';

export const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: 'strategies', element: <StrategiesPage /> },
      { path: 'performance', element: <PerformancePage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
