import { Notification, Stack } from '@mantine/core';
import { Link } from 'react-router';

import { useAlertStore } from '@/features/signals/stores/alert-store';

/** The stack of high-score alerts, top right, over every page. */
export function SignalAlerts() {
  const alerts = useAlertStore((state) => state.alerts);
  const dismiss = useAlertStore((state) => state.dismiss);
  if (alerts.length === 0) return null;
  return (
    <Stack
      gap="xs"
      pos="fixed"
      top={72}
      right={16}
      w={340}
      style={{ zIndex: 300 }}
      aria-live="polite"
      data-testid="signal-alerts"
    >
      {alerts.map((alert) => (
        <Notification
          key={alert.id}
          color={alert.direction === 'LONG' ? 'green' : 'red'}
          title={`${alert.direction} ${alert.symbol} ${alert.timeframe} · score ${alert.score.toFixed(0)}`}
          onClose={() => {
            dismiss(alert.id);
          }}
          withBorder
        >
          {alert.message}{' '}
          <Link
            to={`/signals/${alert.id}`}
            onClick={() => {
              dismiss(alert.id);
            }}
          >
            Open
          </Link>
        </Notification>
      ))}
    </Stack>
  );
}
