import { Card, Group, Text, Title } from '@mantine/core';

import type { CalibrationPoint } from '@/features/performance/api/getPerformance';
import { formatRatio } from '@/lib/format';

const WIDTH = 420;
const HEIGHT = 300;
const M = { top: 12, right: 16, bottom: 40, left: 48 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;
const TP = 'var(--mantine-color-blue-filled)';
const PROFIT = 'var(--mantine-color-gray-6)';

type Series = 'tpRate' | 'profitRate';

/**
 * Creation score (x, bucket mean) against two realised rates (y): the take-profit rate (blue:
 * take-profit reached before stop-loss) and the closed-in-profit rate (grey: net R > 0, which
 * also counts expired and invalidated signals closed in profit). Dots are sized by signals. The
 * score is how many rules agree, not a probability: there is no diagonal to compare it with.
 */
export function CalibrationChart({ points }: { points: CalibrationPoint[] }) {
  const lowest = Math.min(60, ...points.map((p) => p.meanScore));
  const xMin = Math.floor(lowest / 10) * 10;
  const x = (score: number) => M.left + ((score - xMin) / (100 - xMin)) * PLOT_W;
  const y = (ratio: number) => M.top + (1 - ratio) * PLOT_H;
  const maxCount = Math.max(1, ...points.map((p) => p.count));
  const radius = (count: number) => 3 + 8 * Math.sqrt(count / maxCount);
  const xTicks = Array.from({ length: (100 - xMin) / 10 + 1 }, (_, i) => xMin + i * 10);
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  const sorted = [...points].sort((a, b) => a.meanScore - b.meanScore);

  const series = (key: Series, color: string, label: string) => (
    <g data-testid={`calibration-${key}`}>
      <polyline
        points={sorted.map((p) => `${x(p.meanScore)},${y(p[key])}`).join(' ')}
        fill="none"
        stroke={color}
        strokeWidth={1.5}
      />
      {sorted.map((p) => (
        <circle
          key={p.bucket}
          cx={x(p.meanScore)}
          cy={y(p[key])}
          r={radius(p.count)}
          fill={color}
          fillOpacity={0.5}
          stroke={color}
        >
          <title>{`score ${p.bucket}: ${formatRatio(p[key])} ${label} over ${p.count} signals`}</title>
        </circle>
      ))}
    </g>
  );

  return (
    <Card withBorder padding="md" radius="md">
      <Title order={3} size="h5">
        Score against outcomes
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        Realised rates per creation-score bucket. The score counts agreeing rules; it is not a
        chance. Cards show P(take-profit), the calibrated probability, beside it.
      </Text>
      {points.length === 0 ? (
        <Text size="sm" c="dimmed">
          Not enough closed signals yet.
        </Text>
      ) : (
        <>
          <Group gap="md" mb={4}>
            <Text size="xs" c="blue">
              ● take-profit rate (take-profit reached before stop-loss)
            </Text>
            <Text size="xs" c="dimmed">
              ● closed in profit (net R &gt; 0)
            </Text>
          </Group>
          <svg
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            width="100%"
            role="img"
            aria-label="Creation score against realised take-profit and closed-in-profit rates"
            data-testid="calibration-chart"
            style={{ maxHeight: 320, fontSize: 11 }}
          >
            {yTicks.map((tick) => (
              <g key={tick}>
                <line
                  x1={M.left}
                  x2={WIDTH - M.right}
                  y1={y(tick)}
                  y2={y(tick)}
                  stroke="var(--mantine-color-default-border)"
                />
                <text
                  x={M.left - 6}
                  y={y(tick) + 4}
                  textAnchor="end"
                  fill="var(--mantine-color-dimmed)"
                >
                  {tick * 100}%
                </text>
              </g>
            ))}
            {xTicks.map((tick) => (
              <text
                key={tick}
                x={x(tick)}
                y={HEIGHT - M.bottom + 16}
                textAnchor="middle"
                fill="var(--mantine-color-dimmed)"
              >
                {tick}
              </text>
            ))}
            <text x={M.left + PLOT_W / 2} y={HEIGHT - 6} textAnchor="middle" fill="currentColor">
              Score at creation (0-100)
            </text>
            <text
              transform={`translate(12 ${M.top + PLOT_H / 2}) rotate(-90)`}
              textAnchor="middle"
              fill="currentColor"
            >
              Realised rate
            </text>
            {series('profitRate', PROFIT, 'closed in profit')}
            {series('tpRate', TP, 'take-profit rate')}
          </svg>
        </>
      )}
    </Card>
  );
}
