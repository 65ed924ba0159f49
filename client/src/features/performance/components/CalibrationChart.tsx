import { Card, Text, Title } from '@mantine/core';

import type { CalibrationPoint } from '@/features/performance/api/getPerformance';
import { formatRatio } from '@/lib/format';

const WIDTH = 420;
const HEIGHT = 300;
const M = { top: 12, right: 16, bottom: 40, left: 48 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;

/**
 * Confidence (x) against the share of signals that reached take-profit (y), one dot per bucket,
 * sized by how many signals it holds. On the dashed diagonal a confidence of 80 would mean 80%
 * hits; dots below it mean the scanner is over-confident.
 */
export function CalibrationChart({ points }: { points: CalibrationPoint[] }) {
  const lowest = Math.min(50, ...points.map((p) => p.meanConfidence));
  const xMin = Math.floor(lowest / 10) * 10;
  const x = (confidence: number) => M.left + ((confidence - xMin) / (100 - xMin)) * PLOT_W;
  const y = (ratio: number) => M.top + (1 - ratio) * PLOT_H;
  const maxCount = Math.max(1, ...points.map((p) => p.count));
  const radius = (count: number) => 3 + 9 * Math.sqrt(count / maxCount);
  const xTicks = Array.from({ length: (100 - xMin) / 10 + 1 }, (_, i) => xMin + i * 10);
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  const sorted = [...points].sort((a, b) => a.meanConfidence - b.meanConfidence);

  return (
    <Card withBorder padding="md" radius="md">
      <Title order={3} size="h5">
        Calibration
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        Confidence against realised hit rate; the dashed diagonal is perfect calibration.
      </Text>
      {points.length === 0 ? (
        <Text size="sm" c="dimmed">
          Not enough closed signals yet.
        </Text>
      ) : (
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          width="100%"
          role="img"
          aria-label="Calibration chart: confidence against hit rate"
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
            Confidence (%)
          </text>
          <text
            transform={`translate(12 ${M.top + PLOT_H / 2}) rotate(-90)`}
            textAnchor="middle"
            fill="currentColor"
          >
            Hit rate
          </text>
          <line
            x1={x(xMin)}
            y1={y(xMin / 100)}
            x2={x(100)}
            y2={y(1)}
            stroke="var(--mantine-color-dimmed)"
            strokeDasharray="5 4"
            data-testid="calibration-diagonal"
          />
          <polyline
            points={sorted.map((p) => `${x(p.meanConfidence)},${y(p.hitRate)}`).join(' ')}
            fill="none"
            stroke="var(--mantine-color-blue-filled)"
            strokeWidth={1.5}
          />
          {sorted.map((p) => (
            <circle
              key={p.bucket}
              cx={x(p.meanConfidence)}
              cy={y(p.hitRate)}
              r={radius(p.count)}
              fill="var(--mantine-color-blue-filled)"
              fillOpacity={0.55}
              stroke="var(--mantine-color-blue-filled)"
            >
              <title>
                {`${p.bucket}: ${formatRatio(p.hitRate)} hit rate over ${p.count} signals (mean confidence ${p.meanConfidence.toFixed(1)})`}
              </title>
            </circle>
          ))}
        </svg>
      )}
    </Card>
  );
}
