import { memo, useState } from 'react';
import { Link } from 'react-router';

import type { Signal } from '@/features/signals/api/signal';
import classes from '@/features/signals/components/SignalCard.module.css';
import type { SignalEntry } from '@/features/signals/stores/signal-store';
import {
  conditionDescription,
  conditionLabel,
  STATUS_LABELS,
} from '@/features/signals/utils/conditions';
import {
  describeProbability,
  formatProbability,
  PROBABILITY_LABEL,
} from '@/features/signals/utils/probability';
import { scoreBand } from '@/features/signals/utils/score';
import { paths } from '@/config/paths';
import {
  formatNumber,
  formatPercent,
  formatPrice,
  formatR,
  formatTime,
  percentChange,
} from '@/lib/format';

// Plain elements styled by the CSS module rather than Mantine components: with 500 cards on
// screen, Mantine's per-component style props cost more than the rest of the card together.

/** A stop-loss (red) or take-profit (green) and its signed distance from the entry. */
function Level(props: { label: string; price: number; signal: Signal; tone: 'gain' | 'loss' }) {
  const { label, price, signal, tone } = props;
  const distance = percentChange(signal.entry, price);
  return (
    <>
      <span className={classes.dimmed}>{label}</span>
      <span className={classes.value}>{formatPrice(price, signal.tickSize)}</span>
      <span className={classes[tone]}>{formatPercent(distance, { signed: true })}</span>
    </>
  );
}

function Outcome({ signal }: { signal: Signal }) {
  return (
    <div className={classes.row}>
      <span className={classes.status} data-status={signal.status}>
        {STATUS_LABELS[signal.status] ?? signal.status}
      </span>
      {signal.outcomeR !== null && <strong>{formatR(signal.outcomeR)}</strong>}
    </div>
  );
}

/** The score (how many rules agree, 0-100) beside the calibrated take-profit probability. */
function Score({ signal }: { signal: Signal }) {
  const rounded = Math.round(signal.score);
  return (
    <>
      <div className={classes.row}>
        <span className={classes.dimmed}>Score</span>
        <div
          className={classes.track}
          role="progressbar"
          aria-label="Score"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={rounded}
        >
          <div
            className={classes.fill}
            data-band={scoreBand(signal.score)}
            style={{ width: `${Math.min(100, Math.max(0, signal.score))}%` }}
          />
        </div>
        <strong className={classes.percent} data-testid="signal-score">
          {rounded}
        </strong>
      </div>
      <div
        className={classes.row}
        data-testid="signal-probability"
        title={describeProbability(signal.probability, signal.probabilityNote)}
      >
        <span className={classes.dimmed}>{PROBABILITY_LABEL}</span>
        <span className={signal.probability ? classes.value : classes.dimmed}>
          {formatProbability(signal.probability)}
        </span>
      </div>
    </>
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
      data-score={signal.score}
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
      <div className={classes.row}>
        <div className={classes.title}>
          <span className={classes.direction} data-direction={signal.direction}>
            {signal.direction}
          </span>
          <Link to={paths.signal.build(signal.id)} className={classes.symbol}>
            {signal.symbol}
          </Link>
          <span className={classes.timeframe}>{signal.timeframe}</span>
        </div>
        <time
          className={classes.age}
          dateTime={new Date(signal.createdMs).toISOString()}
          title="Created at this exchange time (the chart's clock)"
        >
          {formatTime(signal.createdMs)} exchange time
        </time>
      </div>

      <Score signal={signal} />

      <div className={classes.levels}>
        <span className={classes.dimmed}>Entry</span>
        <span className={classes.value}>{formatPrice(signal.entry, signal.tickSize)}</span>
        <span className={classes.dimmed}>R/R {formatNumber(signal.rewardRisk)}</span>
        <Level label="Stop-loss" price={signal.stopLoss} signal={signal} tone="loss" />
        <Level label="Take-profit" price={signal.takeProfit} signal={signal} tone="gain" />
      </div>

      {signal.status !== 'active' && <Outcome signal={signal} />}

      <div className={classes.conditions} aria-label="Conditions that held">
        {signal.conditions.map((name) => (
          <span
            key={name}
            className={classes.condition}
            title={conditionDescription(name, signal.direction) ?? name}
          >
            {conditionLabel(name)}
          </span>
        ))}
      </div>
    </article>
  );
});
