import { describe, expect, it } from 'vitest';

import { decodeHealthReport } from '@/features/health/api/getHealth';
import { ResponseFormatError } from '@/lib/api';
import { celeryDownBody } from '@/testing/mocks/health';

describe('decodeHealthReport', () => {
  it('decodes the wire format into ordered checks', () => {
    const report = decodeHealthReport({
      status: 'error',
      checks: {
        zookeeper: { ok: true },
        celery: celeryDownBody().checks.celery,
        database: { ok: true, latency_ms: 1.5 },
      },
    });
    expect(report).toEqual({
      status: 'error',
      checks: [
        { name: 'database', ok: true, latencyMs: 1.5, error: null, workers: null },
        {
          name: 'celery',
          ok: false,
          latencyMs: 1000,
          error: 'No Celery workers replied',
          workers: [],
        },
        { name: 'zookeeper', ok: true, latencyMs: null, error: null, workers: null },
      ],
    });
  });

  it('rejects a payload of another shape, naming the field', () => {
    expect(() => decodeHealthReport({ status: 'ok', checks: { redis: { ok: 'yes' } } })).toThrow(
      new ResponseFormatError('health.checks.redis.ok: expected a boolean'),
    );
    expect(() => decodeHealthReport({ status: 'fine', checks: {} })).toThrow(ResponseFormatError);
    expect(() => decodeHealthReport('<html>')).toThrow(ResponseFormatError);
  });
});
