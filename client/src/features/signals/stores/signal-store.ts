/**
 * The live view of the dashboard: the REST snapshot of one status scope with every socket event
 * since applied on top, keyed by signal id, plus what each card should animate.
 *
 * Ordering is decided by `version` (it grows with every change of a signal), not by arrival: a
 * snapshot that was read before an event cannot undo it, and a late duplicate is ignored.
 * Signals that leave the view (deleted, or now outside the scope) stay for `EXIT_MS` with
 * `anim: 'exit'` so their card can fade out, then go.
 */
import { create } from 'zustand';

import { matchesScope, type Signal, type StatusScope } from '@/features/signals/api/signal';

/** How long a leaving card stays (its fade-out runs a little shorter). */
export const EXIT_MS = 700;
/** Tombstones older than this cannot matter to any snapshot still in flight. */
const TOMBSTONE_TTL_MS = 5 * 60_000;

/** `none`: as loaded; `enter`: new since; `flash`: changed since; `exit`: on its way out. */
export type SignalAnimation = 'none' | 'enter' | 'flash' | 'exit';

export interface SignalEntry {
  signal: Signal;
  anim: SignalAnimation;
  /** Bumped on every visible change, so a card can restart its flash. */
  rev: number;
  /** When an event last touched it (epoch ms); 0 if it only came from a snapshot. */
  touchedAt: number;
  exitAt: number | null;
}

export type SignalEvent =
  | { kind: 'created' | 'updated'; signal: Signal }
  | { kind: 'deleted'; signal: Signal; reason: string };

interface SignalStoreState {
  scope: StatusScope;
  /** Whether a snapshot of `scope` has been applied. */
  loaded: boolean;
  /** `requestedAt` of the snapshot applied last: an older (cached) one is ignored. */
  snapshotAt: number;
  entries: Record<number, SignalEntry>;
  /** Versions at which signals left the view: a snapshot must not bring them back. */
  tombstones: Record<number, { version: number; at: number }>;
  /** Switches to another scope, keeping the entries that still belong to it. */
  setScope: (scope: StatusScope) => void;
  applySnapshot: (scope: StatusScope, signals: Signal[], requestedAt: number) => void;
  applyEvents: (events: SignalEvent[]) => void;
  signalCreated: (signal: Signal) => void;
  signalUpdated: (signal: Signal) => void;
  signalDeleted: (signal: Signal, reason: string) => void;
  /** Drops leaving entries whose time is up. Runs by itself after each exit. */
  sweep: (now?: number) => void;
  reset: () => void;
}

const INITIAL = {
  scope: 'active' as StatusScope,
  loaded: false,
  snapshotAt: 0,
  entries: {},
  tombstones: {},
};

let sweepTimer: ReturnType<typeof setTimeout> | undefined;

export const useSignalStore = create<SignalStoreState>()((set, get) => {
  const scheduleSweep = () => {
    if (sweepTimer !== undefined) return;
    sweepTimer = setTimeout(() => {
      sweepTimer = undefined;
      get().sweep();
    }, EXIT_MS);
  };

  return {
    ...INITIAL,

    setScope: (scope) => {
      if (scope === get().scope) return;
      const entries: Record<number, SignalEntry> = {};
      for (const entry of Object.values(get().entries)) {
        if (entry.anim !== 'exit' && matchesScope(entry.signal.status, scope)) {
          entries[entry.signal.id] = entry;
        }
      }
      set({ scope, loaded: false, snapshotAt: 0, entries, tombstones: {} });
    },

    applySnapshot: (scope, signals, requestedAt) => {
      const state = get();
      // A late answer for a scope the user has left, or one older than what is applied.
      if (scope !== state.scope || requestedAt <= state.snapshotAt) return;
      const now = Date.now();
      const entries: Record<number, SignalEntry> = {};
      let exits = false;

      for (const signal of signals) {
        const tomb = state.tombstones[signal.id];
        if (tomb && tomb.version >= signal.version) continue;
        const current = state.entries[signal.id];
        if (!current) {
          // The first load appears as it is; later arrivals were missed while away: show them.
          const anim = state.loaded ? 'enter' : 'none';
          entries[signal.id] = { signal, anim, rev: 0, touchedAt: 0, exitAt: null };
        } else if (current.signal.version >= signal.version && current.anim !== 'exit') {
          entries[signal.id] = current;
        } else {
          entries[signal.id] = {
            ...current,
            signal,
            anim: 'flash',
            rev: current.rev + 1,
            exitAt: null,
          };
        }
      }
      for (const current of Object.values(state.entries)) {
        const id = current.signal.id;
        if (id in entries) continue;
        if (current.anim === 'exit' || current.touchedAt >= requestedAt) {
          // Already leaving, or news the snapshot was read too early to contain.
          entries[id] = current;
        } else {
          entries[id] = { ...current, anim: 'exit', exitAt: now };
          exits = true;
        }
      }

      const tombstones = Object.fromEntries(
        Object.entries(state.tombstones).filter(([, tomb]) => now - tomb.at < TOMBSTONE_TTL_MS),
      );
      set({ loaded: true, snapshotAt: requestedAt, entries, tombstones });
      if (exits) scheduleSweep();
    },

    applyEvents: (events) => {
      if (events.length === 0) return;
      const { scope } = get();
      const now = Date.now();
      const entries = { ...get().entries };
      const tombstones = { ...get().tombstones };
      let exits = false;

      for (const event of events) {
        const { signal } = event;
        const current = entries[signal.id];
        const tomb = tombstones[signal.id];
        if (
          (current && current.anim !== 'exit' && current.signal.version > signal.version) ||
          (tomb && tomb.version >= signal.version)
        ) {
          continue; // older than what is shown, or than its exit
        }
        // A deleted signal has left the live view whatever its status says; an ended one still
        // belongs to the history scopes.
        const belongs =
          matchesScope(signal.status, scope) && !(event.kind === 'deleted' && scope === 'active');
        if (belongs) {
          const isNew = !current || current.anim === 'exit';
          entries[signal.id] = {
            signal,
            anim: isNew ? 'enter' : 'flash',
            rev: (current?.rev ?? 0) + 1,
            touchedAt: now,
            exitAt: null,
          };
        } else {
          tombstones[signal.id] = { version: signal.version, at: now };
          if (current && current.anim !== 'exit') {
            entries[signal.id] = { ...current, signal, anim: 'exit', touchedAt: now, exitAt: now };
            exits = true;
          }
        }
      }
      set({ entries, tombstones });
      if (exits) scheduleSweep();
    },

    signalCreated: (signal) => {
      get().applyEvents([{ kind: 'created', signal }]);
    },
    signalUpdated: (signal) => {
      get().applyEvents([{ kind: 'updated', signal }]);
    },
    signalDeleted: (signal, reason) => {
      get().applyEvents([{ kind: 'deleted', signal, reason }]);
    },

    sweep: (now = Date.now()) => {
      const entries: Record<number, SignalEntry> = {};
      let removed = false;
      let pending = false;
      for (const entry of Object.values(get().entries)) {
        if (entry.exitAt !== null && now - entry.exitAt >= EXIT_MS) {
          removed = true;
          continue;
        }
        if (entry.exitAt !== null) pending = true;
        entries[entry.signal.id] = entry;
      }
      if (removed) set({ entries });
      if (pending) scheduleSweep();
    },

    reset: () => {
      clearTimeout(sweepTimer);
      sweepTimer = undefined;
      set(INITIAL);
    },
  };
});
