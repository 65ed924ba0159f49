import { http, HttpResponse } from 'msw';

import { HEALTH_PATH } from '@/features/health/api/getHealth';

/** `/api/health/` bodies as the backend sends them. */
export function healthyBody() {
  return {
    status: 'ok',
    checks: {
      database: { ok: true, latency_ms: 1.2 },
      redis: { ok: true, latency_ms: 0.4 },
      channel_layer: { ok: true, latency_ms: 2.5 },
      celery: { ok: true, latency_ms: 35.0, workers: ['celery@worker-1'] },
    },
  };
}

export function celeryDownBody() {
  const body = healthyBody();
  return {
    ...body,
    status: 'error',
    checks: {
      ...body.checks,
      celery: { ok: false, latency_ms: 1000.0, workers: [], error: 'No Celery workers replied' },
    },
  };
}

export const healthHandlers = {
  healthy: () => http.get(HEALTH_PATH, () => HttpResponse.json(healthyBody())),
  celeryDown: () =>
    http.get(HEALTH_PATH, () => HttpResponse.json(celeryDownBody(), { status: 503 })),
  networkError: () => http.get(HEALTH_PATH, () => HttpResponse.error()),
};
