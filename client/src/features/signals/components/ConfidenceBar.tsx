import { Group, Progress, Text } from '@mantine/core';

function confidenceColor(confidence: number): string {
  if (confidence >= 85) return 'green';
  if (confidence >= 75) return 'teal';
  if (confidence >= 70) return 'yellow';
  return 'orange';
}

export function ConfidenceBar({ confidence }: { confidence: number }) {
  const rounded = Math.round(confidence);
  return (
    <Group gap="xs" wrap="nowrap">
      <Progress
        value={confidence}
        color={confidenceColor(confidence)}
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
