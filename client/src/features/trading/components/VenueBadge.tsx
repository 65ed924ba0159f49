import { Badge } from '@mantine/core';

import type { Venue } from '@/features/trading/api/trading';

const LOOK: Record<Venue, { label: string; color: string }> = {
  sandbox: { label: 'PAPER (sandbox)', color: 'teal' },
  testnet: { label: 'TESTNET', color: 'yellow' },
  live: { label: 'LIVE: real money', color: 'red' },
};

/** Which exchange the page acts on, shown wherever an order can be sent. */
export function VenueBadge({ venue }: { venue: Venue }) {
  const { label, color } = LOOK[venue];
  return (
    <Badge color={color} size="lg" variant="filled" data-testid="venue-badge">
      {label}
    </Badge>
  );
}
