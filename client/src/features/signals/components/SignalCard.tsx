import { Badge, Group, Text } from '@mantine/core';
import { memo, useState } from 'react';
import { Link } from 'react-router';

import type { Signal } from '@/features/signals/api/signal';
import { ConfidenceBar } from '@/features/signals/components/ConfidenceBar';
import { DirectionBadge } from '@/features/signals/components/DirectionBadge';
import classes from '@/features/signals/components/SignalCard.module.css';
import { SignalAge } from '@/features/signals/components/SignalAge';
import type { SignalEntry } from '@/features/signals/stores/signal-store';
import {
  conditionDescription,
  conditionLabel,
  STATUS_LABELS,
} from '@/features/signals/utils/conditions';
import { paths } from '@/config/paths';
import { formatNumber, formatPercent, formatPrice, formatR, percentChange } from '@/lib/format';

/** A stop-loss (red) or take-profit (green) and its signed distance from the entry. */
function Level(props: { label: string; price: number; signal: Signal; tone: 'gain' | 'loss' }) {
  const { label, price, signal, tone } = props;
  const distance = percentChange(signal.entry, price);
  return (
    <>
      <span className={classes.levelLabel}>{label}</span>
      <span className={classes.levelValue}>{formatPrice(price, signal.tickSize)}</span>
      <span className={tone === 'gain' ? classes.gain : classes.loss}>
        {formatPercent(distance, { signed: true })}
      </span>
    </>
  );
}

function Outcome({ signal }: { signal: Signal }) {
  return (
    <Group gap="xs" justify="space-between">
      <Badge
        variant="light"
        color={signal.status === 'tp_hit' ? 'green' : signal.status === 'sl_hit' ? 'red' : 'gray'}
      >
        {STATUS_LABELS[signal.status] ?? signal.status}
      </Badge>
      {signal.outcomeR !== null && (
        <Text size="sm" fw={600} className={classes.numeric}>
          {formatR(signal.outcomeR)}
        </Text>
      )}
    </Group>
  );
}

/**
 * One signal. Memoised on its entry, which the store replaces only when that signal changes, so
 * an event re-renders one card, not the grid.
 */
export const SignalCard = memo(function SignalCard({ entry }: { entry: SignalEntry }) {
  const { signal } = entry;
  // An animation plays once per change; after it the card rests, so re-sorting (which moves DOM
  // nodes and would restart CSS animations) does not replay it.
  const [settledRev, setSettledRev] = useState(-1);
  const anim = entry.anim === 'exit' || settledRev !== entry.rev ? entry.anim : 'none';
  const settle = () => {
    if (entry.anim !== 'exit') setSettledRev(entry.rev);
  };

  return (
    <article
      className={classes.card}
      data-testid="signal-card"
      data-id={signal.id}
      data-symbol={signal.symbol}
      data-direction={signal.direction}
      data-timeframe={signal.timeframe}
      data-confidence={signal.confidence}
      data-created-at={signal.createdAt}
      data-anim={anim}
      data-live={entry.touchedAt > 0 || undefined}
      aria-label={`${signal.direction} ${signal.symbol} ${signal.timeframe}`}
      onAnimationEnd={(event) => {
        if (event.target === event.currentTarget) settle();
      }}
    >
      {anim === 'flash' && (
        <span key={entry.rev} className={classes.flash} onAnimationEnd={settle} />
      )}
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <DirectionBadge direction={signal.direction} />
          <Link to={paths.signal.build(signal.id)} className={classes.link}>
            <Text fw={700} truncate="end" component="span">
              {signal.symbol}
            </Text>
          </Link>
          <Badge variant="default" radius="sm">
            {signal.timeframe}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed" className={classes.numeric}>
          <SignalAge since={signal.createdAt} />
        </Text>
      </Group>

      <ConfidenceBar confidence={signal.confidence} />

      <div className={classes.levels}>
        <span className={classes.levelLabel}>Entry</span>
        <span className={classes.levelValue}>{formatPrice(signal.entry, signal.tickSize)}</span>
        <span className={classes.levelLabel}>R/R {formatNumber(signal.rewardRisk)}</span>
        <Level label="Stop-loss" price={signal.stopLoss} signal={signal} tone="loss" />
        <Level label="Take-profit" price={signal.takeProfit} signal={signal} tone="gain" />
      </div>

      {signal.status !== 'active' && <Outcome signal={signal} />}

      <div className={classes.conditions} aria-label="Conditions that held">
        {signal.conditions.map((name) => (
          // A native title, not a Tooltip component: 500 cards would mount thousands of them.
          <Badge
            key={name}
            size="xs"
            variant="light"
            color="gray"
            radius="sm"
            className={classes.condition}
            title={conditionDescription(name, signal.direction) ?? name}
          >
            {conditionLabel(name)}
          </Badge>
        ))}
      </div>
    </article>
  );
});
