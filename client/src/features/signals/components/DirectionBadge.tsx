import { Badge, type BadgeProps } from '@mantine/core';

import type { Direction } from '@/features/signals/api/signal';

/** Green LONG, red SHORT. */
export function DirectionBadge({ direction, ...props }: { direction: Direction } & BadgeProps) {
  return (
    <Badge color={direction === 'LONG' ? 'green' : 'red'} variant="filled" radius="sm" {...props}>
      {direction}
    </Badge>
  );
}
