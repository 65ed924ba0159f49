import type { UTCTimestamp } from 'lightweight-charts';

import type { EquityPoint } from '@/features/performance/api/getPerformance';
import { toChartTime } from '@/lib/charts';

/** One point per chart second (the library needs strictly increasing times): the last wins. */
export function equitySeries(points: EquityPoint[]): { time: UTCTimestamp; value: number }[] {
  const out: { time: UTCTimestamp; value: number }[] = [];
  for (const point of [...points].sort((a, b) => a.at - b.at)) {
    const time = toChartTime(point.at);
    const last = out.at(-1);
    if (last?.time === time) last.value = point.cumulativeR;
    else out.push({ time, value: point.cumulativeR });
  }
  return out;
}
