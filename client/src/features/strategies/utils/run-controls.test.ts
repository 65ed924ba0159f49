import { describe, expect, it } from 'vitest';

import { defaultAccount, startBlocker, triggersOf } from '@/features/strategies/utils/run-controls';

describe('triggersOf', () => {
  it("offers what the server's lifecycle table allows, nothing once terminal", () => {
    expect(triggersOf('RUNNING')).toEqual(['pause', 'stop']);
    expect(triggersOf('PAUSED')).toEqual(['resume', 'stop']);
    expect(triggersOf('STOPPED')).toEqual([]);
    expect(triggersOf('ERROR')).toEqual([]);
    expect(triggersOf('NEW')).toEqual([]);
  });
});

describe('defaultAccount', () => {
  const live = { id: 1, label: 'Main', venue: 'live', isPaper: false, paused: false };
  const paper = { id: 2, label: 'Paper', venue: 'sandbox', isPaper: true, paused: false };
  it('is the paper account when there is one, else the first', () => {
    expect(defaultAccount([live, paper])).toBe(paper);
    expect(defaultAccount([live])).toBe(live);
    expect(defaultAccount([])).toBeNull();
  });
});

describe('startBlocker', () => {
  const ready = { version: 2, dirty: false, account: 5, symbols: ['BTCUSDT'], timeframe: '5m' };
  it('lets a saved, unchanged version start with an account, symbols and a timeframe', () => {
    expect(startBlocker(ready)).toBeNull();
  });
  it('asks to save first: a run pins a saved version', () => {
    expect(startBlocker({ ...ready, version: null })).toMatch(/^Save the strategy first/);
    expect(startBlocker({ ...ready, dirty: true })).toMatch(/^Save your changes first/);
  });
  it('names what is missing', () => {
    expect(startBlocker({ ...ready, account: null })).toBe('Choose an exchange account.');
    expect(startBlocker({ ...ready, symbols: [] })).toBe('Choose at least one symbol.');
    expect(startBlocker({ ...ready, timeframe: null })).toBe('Choose a timeframe.');
  });
});
