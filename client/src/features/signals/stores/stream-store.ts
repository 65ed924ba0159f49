/**
 * The state of the live connection, for the badge and the scanner card: set by `useSignalStream`,
 * read anywhere on the page.
 */
import { create } from 'zustand';

import type { ConnectionStatus } from '@/lib/ws';

interface StreamState {
  connection: ConnectionStatus;
  /** Signal events received since the page loaded. */
  eventCount: number;
  lastEventAt: number | null;
  /** The latest `scanner_error` event. */
  scannerError: { message: string; at: number } | null;
  setConnection: (connection: ConnectionStatus) => void;
  countEvents: (count: number) => void;
  setScannerError: (message: string) => void;
}

export const useStreamStore = create<StreamState>()((set) => ({
  connection: { state: 'connecting', attempt: 0, retryAt: null },
  eventCount: 0,
  lastEventAt: null,
  scannerError: null,
  setConnection: (connection) => {
    set({ connection });
  },
  countEvents: (count) => {
    set((state) => ({ eventCount: state.eventCount + count, lastEventAt: Date.now() }));
  },
  setScannerError: (message) => {
    set({ scannerError: { message, at: Date.now() } });
  },
}));
