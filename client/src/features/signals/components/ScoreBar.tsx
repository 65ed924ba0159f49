import { Group, Progress, Text } from '@mantine/core';

import { BAND_COLORS, scoreBand } from '@/features/signals/utils/score';

/** The score, 0-100, as a bar and a plain number (not a percentage: it is not a chance). */
export function ScoreBar({ score }: { score: number }) {
  const rounded = Math.round(score);
  return (
    <Group gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed" w={44}>
        Score
      </Text>
      <Progress
        value={score}
        color={BAND_COLORS[scoreBand(score)]}
        size="sm"
        style={{ flex: 1 }}
        aria-label={`Score ${rounded} of 100`}
      />
      <Text size="sm" fw={600} w={32} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
        {rounded}
      </Text>
    </Group>
  );
}
