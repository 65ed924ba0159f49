import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { SignalCard } from '@/features/signals/components/SignalCard';
import type { SignalAnimation, SignalEntry } from '@/features/signals/stores/signal-store';
import { makeSignal, type SignalJson } from '@/testing/factories';
import { renderWithProviders } from '@/testing/test-utils';

function entry(json: SignalJson = {}, anim: SignalAnimation = 'none', rev = 0): SignalEntry {
  return { signal: makeSignal(json), anim, rev, touchedAt: 0, exitAt: null };
}

function renderCard(json: SignalJson = {}, anim: SignalAnimation = 'none') {
  const view = renderWithProviders(<SignalCard entry={entry(json, anim)} />);
  return { ...view, card: screen.getByTestId('signal-card') };
}

/** The value and distance shown in the row of `label`. */
function level(card: HTMLElement, label: string) {
  const name = within(card).getByText(label);
  const value = name.nextElementSibling;
  return [value?.textContent, value?.nextElementSibling?.textContent];
}

/**
 * Ends a CSS animation. jsdom has no AnimationEvent, so React listens for the prefixed name
 * there; send both.
 */
function endAnimation(element: Element) {
  fireEvent(element, new Event('animationend', { bubbles: true }));
  fireEvent(element, new Event('webkitAnimationEnd', { bubbles: true }));
}

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  vi.setSystemTime(Date.parse('2025-01-01T12:00:30Z'));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('SignalCard', () => {
  it('shows a LONG signal with a green badge, its market and a link to its page', () => {
    const { card } = renderCard({ id: 42, symbol: 'ETHUSDT', timeframe: '15m' });
    // The stylesheet paints [data-direction='LONG'] green and 'SHORT' red.
    expect(within(card).getByText('LONG')).toHaveAttribute('data-direction', 'LONG');
    expect(card).toHaveAttribute('data-direction', 'LONG');
    expect(within(card).getByRole('link', { name: 'ETHUSDT' })).toHaveAttribute(
      'href',
      '/signals/42',
    );
    expect(within(card).getByText('15m')).toBeInTheDocument();
  });

  it('shows a SHORT signal with a red badge', () => {
    const { card } = renderCard({ direction: 'SHORT' });
    expect(within(card).getByText('SHORT')).toHaveAttribute('data-direction', 'SHORT');
    expect(card).toHaveAttribute('data-direction', 'SHORT');
  });

  it('formats prices to the tick size, with distances from the entry', () => {
    const { card } = renderCard({
      entry: 65000.1,
      stop_loss: 64500.2,
      take_profit: 65833.3,
      reward_risk: 1.666,
      tick_size: '0.10',
    });
    expect(level(card, 'Entry')[0]).toBe('65,000.10');
    expect(level(card, 'Stop-loss')).toEqual(['64,500.20', '-0.77%']);
    expect(level(card, 'Take-profit')).toEqual(['65,833.30', '+1.28%']);
    expect(within(card).getByText('R/R 1.67')).toBeInTheDocument();
  });

  it('colours the stop-loss red and the take-profit green whatever the direction', () => {
    const { card } = renderCard({
      direction: 'SHORT',
      entry: 100,
      stop_loss: 101.5,
      take_profit: 97.5,
      tick_size: '0.01',
    });
    expect(level(card, 'Stop-loss')).toEqual(['101.50', '+1.50%']);
    expect(within(card).getByText('+1.50%').className).toMatch(/loss/);
    expect(within(card).getByText('-2.50%').className).toMatch(/gain/);
  });

  it('falls back to significant digits without a tick size', () => {
    const { card } = renderCard({
      entry: 0.00412345,
      stop_loss: 0.004,
      take_profit: 0.0043,
      tick_size: null,
    });
    expect(level(card, 'Entry')[0]).toBe('0.0041235');
  });

  it('shows the score as a score, not a percentage, and the conditions that held', () => {
    const { card } = renderCard({
      score: 82.5,
      conditions: ['macd_cross', 'ema_fast_slow', 'bollinger_volume', 'something_new'],
    });
    expect(within(card).getByTestId('signal-score')).toHaveTextContent(/^83$/);
    expect(within(card).queryByText('83%')).not.toBeInTheDocument();
    expect(within(card).getByRole('progressbar', { name: 'Score' })).toHaveAttribute(
      'aria-valuenow',
      '83',
    );
    const conditions = within(within(card).getByLabelText('Conditions that held'));
    expect(conditions.getAllByText(/./).map((el) => el.textContent)).toEqual([
      'MACD cross',
      'EMA 9 / 21',
      'Bollinger + volume',
      'something new',
    ]);
    expect(conditions.getByText('MACD cross').closest('[title]')).toHaveAttribute(
      'title',
      'MACD crossed above its signal line recently and is still above it',
    );
  });

  it('shows the calibrated take-profit probability with its interval and sample size', () => {
    const { card } = renderCard({
      probability: { value: 0.314, low: 0.2449, high: 0.3821, n: 812, source: 'archive' },
    });
    const row = within(card).getByTestId('signal-probability');
    expect(row).toHaveTextContent('P(take-profit)31% (24–38%, n=812)');
    expect(row.getAttribute('title')).toMatch(/outcome archive/);
  });

  it('says "not enough history" when there is no probability', () => {
    const { card } = renderCard({
      probability: null,
      probability_note: 'not enough history: 12 closed 4h LONG signals in the archive (needs 100)',
    });
    const row = within(card).getByTestId('signal-probability');
    expect(row).toHaveTextContent('P(take-profit)not enough history');
    expect(row).toHaveAttribute('title', expect.stringMatching(/12 closed 4h LONG/));
  });

  it('shows its creation time on the exchange clock, labelled as such', () => {
    // The platform wrote it at 12:00 wall clock; the exchange (a replay) was at 09:30.
    const exchangeMs = Date.parse('2025-01-01T09:30:00Z');
    const { card } = renderCard({ created_at: '2025-01-01T12:00:00Z', created_ms: exchangeMs });
    const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(exchangeMs);
    expect(within(card).getByText(`${time} exchange time`)).toBeInTheDocument();
  });

  it('shows how an ended signal turned out', () => {
    const { card } = renderCard({ status: 'tp_hit', outcome_r: 1.67 });
    expect(within(card).getByText('Take-profit hit')).toBeInTheDocument();
    expect(within(card).getByText('+1.67R')).toBeInTheDocument();
  });

  it('plays its enter animation once', () => {
    const { card } = renderCard({}, 'enter');
    expect(card).toHaveAttribute('data-anim', 'enter');
    endAnimation(card);
    expect(card).toHaveAttribute('data-anim', 'none');
  });

  it('flashes again on every update', () => {
    const first = entry({ id: 5 }, 'flash', 1);
    const view = renderWithProviders(<SignalCard entry={first} />);
    const card = screen.getByTestId('signal-card');
    expect(card).toHaveAttribute('data-anim', 'flash');
    const flash = card.querySelector('span[class*="flash"]');
    expect(flash).not.toBeNull();
    if (flash) endAnimation(flash);
    expect(card).toHaveAttribute('data-anim', 'none');

    view.rerender(<SignalCard entry={entry({ id: 5, version: 2 }, 'flash', 2)} />);
    expect(card).toHaveAttribute('data-anim', 'flash');
  });
});
