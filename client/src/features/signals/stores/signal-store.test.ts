import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { EXIT_MS, useSignalStore } from '@/features/signals/stores/signal-store';
import { makeSignal } from '@/testing/factories';

const store = () => useSignalStore.getState();
const entry = (id: number) => store().entries[id];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse('2025-01-01T12:00:00Z'));
  store().reset();
});

afterEach(() => {
  store().reset();
  vi.useRealTimers();
});

describe('signal store events', () => {
  it('adds a created signal with an enter animation', () => {
    store().signalCreated(makeSignal({ id: 1 }));
    expect(entry(1)).toMatchObject({ anim: 'enter', rev: 1 });
    expect(entry(1)?.signal.id).toBe(1);
  });

  it('replaces an updated signal and flashes it', () => {
    store().signalCreated(makeSignal({ id: 1, score: 80 }));
    store().signalUpdated(makeSignal({ id: 1, score: 88, version: 2 }));
    expect(entry(1)).toMatchObject({ anim: 'flash', rev: 2 });
    expect(entry(1)?.signal.score).toBe(88);
  });

  it('ignores an update older than what it shows', () => {
    store().signalCreated(makeSignal({ id: 1, score: 88, version: 3 }));
    store().signalUpdated(makeSignal({ id: 1, score: 70, version: 2 }));
    expect(entry(1)?.signal.score).toBe(88);
  });

  it('shows an update for a signal it never saw created', () => {
    store().signalUpdated(makeSignal({ id: 7, version: 4 }));
    expect(entry(7)?.anim).toBe('enter');
  });

  it('keeps a deleted signal for the fade-out, then drops it', () => {
    store().signalCreated(makeSignal({ id: 1 }));
    store().signalDeleted(makeSignal({ id: 1, status: 'tp_hit', version: 2 }), 'tp_hit');
    expect(entry(1)).toMatchObject({ anim: 'exit' });
    expect(entry(1)?.signal.status).toBe('tp_hit');

    vi.advanceTimersByTime(EXIT_MS - 1);
    expect(entry(1)).toBeDefined();
    vi.advanceTimersByTime(1);
    expect(entry(1)).toBeUndefined();
  });

  it('does not bring back a deleted signal on a late update', () => {
    store().signalCreated(makeSignal({ id: 1 }));
    store().signalDeleted(makeSignal({ id: 1, status: 'expired', version: 3 }), 'expired');
    store().signalUpdated(makeSignal({ id: 1, version: 2 }));
    expect(entry(1)?.anim).toBe('exit');
    vi.advanceTimersByTime(EXIT_MS);
    store().signalUpdated(makeSignal({ id: 1, version: 3 }));
    expect(entry(1)).toBeUndefined();
  });

  it('applies a batch in order, in one update', () => {
    const listener = vi.fn();
    const unsubscribe = useSignalStore.subscribe(listener);
    store().applyEvents([
      { kind: 'created', signal: makeSignal({ id: 1 }) },
      { kind: 'created', signal: makeSignal({ id: 2 }) },
      { kind: 'updated', signal: makeSignal({ id: 1, score: 95, version: 2 }) },
    ]);
    unsubscribe();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(Object.keys(store().entries)).toEqual(['1', '2']);
    expect(entry(1)?.signal.score).toBe(95);
  });

  it('leaves other entries untouched, so their cards do not re-render', () => {
    store().applyEvents([
      { kind: 'created', signal: makeSignal({ id: 1 }) },
      { kind: 'created', signal: makeSignal({ id: 2 }) },
    ]);
    const before = entry(2);
    store().signalUpdated(makeSignal({ id: 1, version: 2 }));
    expect(entry(2)).toBe(before);
  });
});

describe('signal store scopes', () => {
  it('in the history scopes, shows signals as they end', () => {
    store().setScope('closed');
    store().signalCreated(makeSignal({ id: 1 }));
    expect(entry(1)).toBeUndefined();
    store().signalDeleted(makeSignal({ id: 1, status: 'sl_hit', version: 2 }), 'sl_hit');
    expect(entry(1)).toMatchObject({ anim: 'enter' });
  });

  it('filters the history scopes by outcome', () => {
    store().setScope('tp_hit');
    store().signalDeleted(makeSignal({ id: 1, status: 'sl_hit', version: 2 }), 'sl_hit');
    store().signalDeleted(makeSignal({ id: 2, status: 'tp_hit', version: 2 }), 'tp_hit');
    expect(Object.keys(store().entries)).toEqual(['2']);
  });

  it('drops what does not belong to a new scope and waits for its snapshot', () => {
    store().applySnapshot('active', [makeSignal({ id: 1 })], 1);
    store().setScope('closed');
    expect(store().entries).toEqual({});
    expect(store().loaded).toBe(false);
  });
});

describe('signal store snapshots', () => {
  it('shows the first snapshot without animation', () => {
    store().applySnapshot('active', [makeSignal({ id: 1 }), makeSignal({ id: 2 })], Date.now());
    expect(store().loaded).toBe(true);
    expect(entry(1)?.anim).toBe('none');
    expect(entry(2)?.anim).toBe('none');
  });

  it('on a resync, fades in what was missed and fades out what is gone', () => {
    store().applySnapshot('active', [makeSignal({ id: 1 }), makeSignal({ id: 2 })], 1000);
    vi.advanceTimersByTime(5000);
    store().applySnapshot(
      'active',
      [makeSignal({ id: 2 }), makeSignal({ id: 3 })],
      Date.now() - 10,
    );
    expect(entry(1)?.anim).toBe('exit');
    expect(entry(2)?.anim).toBe('none');
    expect(entry(3)?.anim).toBe('enter');
  });

  it('flashes a signal that changed while away', () => {
    store().applySnapshot('active', [makeSignal({ id: 1, score: 80 })], 1000);
    store().applySnapshot('active', [makeSignal({ id: 1, score: 90, version: 2 })], 2000);
    expect(entry(1)).toMatchObject({ anim: 'flash' });
    expect(entry(1)?.signal.score).toBe(90);
  });

  it('keeps events newer than the snapshot', () => {
    store().applySnapshot('active', [makeSignal({ id: 1 })], 1000);
    const requestedAt = Date.now();
    vi.advanceTimersByTime(100);
    // While the refetch is in flight: a new signal, an update and a deletion.
    store().signalCreated(makeSignal({ id: 2 }));
    store().signalUpdated(makeSignal({ id: 1, score: 97, version: 5 }));
    store().signalCreated(makeSignal({ id: 3 }));
    store().signalDeleted(makeSignal({ id: 3, status: 'expired', version: 2 }), 'expired');
    vi.advanceTimersByTime(EXIT_MS);

    // The snapshot was read before any of that.
    store().applySnapshot(
      'active',
      [makeSignal({ id: 1, version: 4 }), makeSignal({ id: 3, version: 1 })],
      requestedAt,
    );
    expect(entry(1)?.signal.score).toBe(97);
    expect(entry(2)?.anim).toBe('enter');
    expect(entry(3)).toBeUndefined();
  });

  it('ignores a snapshot older than the one applied, or of another scope', () => {
    store().applySnapshot('active', [makeSignal({ id: 1 })], 2000);
    store().applySnapshot('active', [makeSignal({ id: 2 })], 1000);
    store().applySnapshot('closed', [makeSignal({ id: 3, status: 'expired' })], 3000);
    expect(Object.keys(store().entries)).toEqual(['1']);
  });
});
