/**
 * What the run controls allow. Pure.
 *
 * The server's lifecycle table (backend/strategies/lifecycle.py): RUNNING may be paused or
 * stopped, PAUSED resumed or stopped; STOPPED and ERROR are terminal (a fixed strategy is a new
 * version and a new run). The buttons offer only those, so a 409 means someone else (another
 * tab, the engine marking ERROR) changed the run meanwhile.
 */
import type { AccountOption } from '@/features/strategies/api/run-context';
import type { RunStatus, RunTrigger } from '@/features/strategies/api/runs';

export function triggersOf(status: RunStatus): RunTrigger[] {
  if (status === 'RUNNING') return ['pause', 'stop'];
  if (status === 'PAUSED') return ['resume', 'stop'];
  return [];
}

/** The account offered first: the paper account (sandbox) when there is one. */
export function defaultAccount(accounts: readonly AccountOption[]): AccountOption | null {
  return accounts.find((a) => a.isPaper) ?? accounts[0] ?? null;
}

/**
 * Why a run cannot start yet, or null. A run pins a saved version, so the workspace must be saved
 * first: starting would otherwise run something other than what is on the screen.
 */
export function startBlocker({
  version,
  dirty,
  account,
  symbols,
  timeframe,
}: {
  version: number | null;
  dirty: boolean;
  account: number | null;
  symbols: readonly string[];
  timeframe: string | null;
}): string | null {
  if (version === null) return 'Save the strategy first: a run pins a saved version.';
  if (dirty) return 'Save your changes first: a run pins the saved version, not the workspace.';
  if (account === null) return 'Choose an exchange account.';
  if (symbols.length === 0) return 'Choose at least one symbol.';
  if (timeframe === null) return 'Choose a timeframe.';
  return null;
}
