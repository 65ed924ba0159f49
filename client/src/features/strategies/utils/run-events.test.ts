import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';

import { type Run, type RunLogLine, runKeys } from '@/features/strategies/api/runs';
import {
  applyStrategyEvent,
  mergeLogLines,
  resyncStrategies,
} from '@/features/strategies/utils/run-events';

const AT = '2026-12-04T20:00:05.250000+00:00';
const AT_MS = Date.parse('2026-12-04T20:00:05.250Z');

function line(over: Partial<RunLogLine>): RunLogLine {
  return {
    id: 1,
    at: AT_MS,
    level: 'info',
    symbol: 'BTCUSDT',
    candleTime: 1,
    message: 'x',
    ...over,
  };
}

const RUN: Run = {
  id: 3,
  strategy: 4,
  strategyName: 'EMA',
  version: 2,
  exchangeAccount: 5,
  symbols: ['BTCUSDT'],
  timeframe: '5m',
  status: 'RUNNING',
  error: '',
  tag: 's3',
  createdAt: AT_MS,
  startedAt: AT_MS,
  stoppedAt: null,
};

describe('mergeLogLines', () => {
  it('puts new lines first, newest first, and keeps a line once when REST and the socket both bring it', () => {
    const rest = [line({ id: 2, at: AT_MS + 5000, message: 'b' }), line({ id: 1, message: 'a' })];
    const pushed = line({ id: null, at: AT_MS + 5000, message: 'b' });
    expect(mergeLogLines(rest, [pushed])).toBe(rest);
    const fresh = line({ id: null, at: AT_MS + 10_000, message: 'c' });
    expect(mergeLogLines(rest, [fresh, fresh]).map((l) => l.message)).toEqual(['c', 'b', 'a']);
    // Same text on another symbol is another line.
    expect(mergeLogLines(rest, [{ ...pushed, symbol: 'ETHUSDT' }])).toHaveLength(3);
  });

  it('tells lines apart by id: equal text twice stays twice, the same id once', () => {
    const rest = [line({ id: 7, message: 'order sent' })];
    const again = line({ id: 8, message: 'order sent' });
    expect(mergeLogLines(rest, [again]).map((l) => l.id)).toEqual([8, 7]);
    expect(mergeLogLines(rest, [line({ id: 7, message: 'order sent' })])).toBe(rest);
    expect(
      mergeLogLines(
        [line({ id: null, message: 'old server' })],
        [line({ id: 9, message: 'old server' })],
      ),
    ).toHaveLength(1);
  });

  it('keeps only the newest lines', () => {
    const lines = [3, 2, 1].map((i) => line({ id: i, at: AT_MS + i, message: String(i) }));
    const merged = mergeLogLines(lines, [line({ id: null, at: AT_MS + 4, message: '4' })], 3);
    expect(merged.map((l) => l.message)).toEqual(['4', '3', '2']);
  });
});

describe('applyStrategyEvent', () => {
  it("adds a pushed log line to the run's cached log (the server's time read as such)", () => {
    const client = new QueryClient();
    client.setQueryData(runKeys.logs(3), [line({ id: 9, at: AT_MS - 1000, message: 'old' })]);
    const handled = applyStrategyEvent(client, {
      type: 'strategy_log',
      data: {
        run_id: 3,
        id: 10,
        level: 'notify',
        message: 'EMA 9 crossed',
        symbol: 'BTCUSDT',
        candle_time: 5,
        at: AT,
      },
    });
    expect(handled).toBe(true);
    const log = client.getQueryData<RunLogLine[]>(runKeys.logs(3));
    expect(log?.map((l) => [l.id, l.at, l.level, l.message])).toEqual([
      [10, AT_MS, 'notify', 'EMA 9 crossed'],
      [9, AT_MS - 1000, 'info', 'old'],
    ]);
  });

  it('leaves a log nobody has open uncached, and other runs alone', () => {
    const client = new QueryClient();
    client.setQueryData(runKeys.logs(4), []);
    applyStrategyEvent(client, {
      type: 'strategy_log',
      data: { run_id: 3, level: 'info', message: 'm', symbol: '', candle_time: null, at: AT },
    });
    expect(client.getQueryData(runKeys.logs(3))).toBeUndefined();
    expect(client.getQueryData(runKeys.logs(4))).toEqual([]);
  });

  it('writes a new status into the cached list and marks the run stale', () => {
    const client = new QueryClient();
    client.setQueryData(runKeys.list(), [RUN, { ...RUN, id: 8 }]);
    client.setQueryData(runKeys.detail(3), { ...RUN, pnl: {}, trace: '' });
    applyStrategyEvent(client, {
      type: 'strategy_run_updated',
      data: { run_id: 3, id: 3, status: 'ERROR', error: 'BudgetExceeded: 20000 steps' },
    });
    const runs = client.getQueryData<Run[]>(runKeys.list());
    expect(runs?.map((r) => [r.id, r.status, r.error])).toEqual([
      [3, 'ERROR', 'BudgetExceeded: 20000 steps'],
      [8, 'RUNNING', ''],
    ]);
    expect(client.getQueryState(runKeys.detail(3))?.isInvalidated).toBe(true);
  });

  it("refetches a run's decisions and PnL on a decision", () => {
    const client = new QueryClient();
    client.setQueryData(runKeys.decisions(3), []);
    client.setQueryData(runKeys.decisions(4), []);
    const handled = applyStrategyEvent(client, {
      type: 'strategy_decision',
      data: {
        run_id: 3,
        symbol: 'BTCUSDT',
        candle_time: 5,
        kind: 'open',
        payload: {},
        order_id: 1,
        outcome: '',
      },
    });
    expect(handled).toBe(true);
    expect(client.getQueryState(runKeys.decisions(3))?.isInvalidated).toBe(true);
    expect(client.getQueryState(runKeys.decisions(4))?.isInvalidated).toBe(false);
  });

  it('refetches fills on an order update without claiming the event; ignores the rest', () => {
    const client = new QueryClient();
    client.setQueryData(runKeys.fills(5, 'BTCUSDT'), []);
    expect(applyStrategyEvent(client, { type: 'order_updated', data: { account_id: 5 } })).toBe(
      false,
    );
    expect(client.getQueryState(runKeys.fills(5, 'BTCUSDT'))?.isInvalidated).toBe(true);
    expect(applyStrategyEvent(client, { type: 'signal_created', data: {} })).toBe(false);
  });

  it("refetches the runs' positions when the account's positions change", () => {
    const client = new QueryClient();
    client.setQueryData(runKeys.positions(5, 's3'), []);
    expect(applyStrategyEvent(client, { type: 'position_updated', data: { account_id: 5 } })).toBe(
      false,
    );
    expect(client.getQueryState(runKeys.positions(5, 's3'))?.isInvalidated).toBe(true);
  });

  it('resync marks every run query stale', () => {
    const client = new QueryClient();
    client.setQueryData(runKeys.list(), [RUN]);
    client.setQueryData(runKeys.logs(3), []);
    resyncStrategies(client);
    expect(client.getQueryState(runKeys.list())?.isInvalidated).toBe(true);
    expect(client.getQueryState(runKeys.logs(3))?.isInvalidated).toBe(true);
  });
});
