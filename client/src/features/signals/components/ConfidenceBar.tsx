import { Group, Progress, Text } from '@mantine/core';

import { BAND_COLORS, confidenceBand } from '@/features/signals/utils/confidence';

export function ConfidenceBar({ confidence }: { confidence: number }) {
  const rounded = Math.round(confidence);
  return (
    <Group gap="xs" wrap="nowrap">
      <Progress
        value={confidence}
        color={BAND_COLORS[confidenceBand(confidence)]}
        size="sm"
        style={{ flex: 1 }}
        aria-label={`Confidence ${rounded}%`}
      />
      <Text size="sm" fw={600} w={40} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
        {rounded}%
      </Text>
    </Group>
  );
}
