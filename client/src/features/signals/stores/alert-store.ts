/**
 * High-score alerts (`signal_notification` events): the few newest, each dismissed by the
 * trader or after `ALERT_TTL_MS`.
 */
import { create } from 'zustand';

import type { Direction } from '@/features/signals/api/signal';

export const MAX_ALERTS = 4;
export const ALERT_TTL_MS = 10_000;

export interface SignalAlert {
  /** The signal's id: a second alert for the same signal replaces the first. */
  id: number;
  symbol: string;
  timeframe: string;
  direction: Direction;
  score: number;
  message: string;
}

interface AlertState {
  alerts: SignalAlert[];
  push: (alert: SignalAlert) => void;
  dismiss: (id: number) => void;
}

const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const useAlertStore = create<AlertState>()((set, get) => ({
  alerts: [],
  push: (alert) => {
    clearTimeout(timers.get(alert.id));
    timers.set(
      alert.id,
      setTimeout(() => {
        get().dismiss(alert.id);
      }, ALERT_TTL_MS),
    );
    set((state) => ({
      alerts: [alert, ...state.alerts.filter((a) => a.id !== alert.id)].slice(0, MAX_ALERTS),
    }));
  },
  dismiss: (id) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    set((state) => ({ alerts: state.alerts.filter((a) => a.id !== id) }));
  },
}));
