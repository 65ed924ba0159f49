import { Alert, Button, Card, MultiSelect, Select, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';

import { useStartRun } from '@/features/strategies/api/run-mutations';
import { useRunAccounts, useSymbolOptions } from '@/features/strategies/api/run-queries';
import { defaultAccount, startBlocker } from '@/features/strategies/utils/run-controls';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';

/** The server's limit per run (strategies.services.RUN_SYMBOLS_MAX); it refuses more with a 400 too. */
const SYMBOLS_MAX = 20;

/**
 * Start a run of the version on the workspace: an exchange account (the paper one first), symbols
 * of the universe, a timeframe the strategy language knows. Unsaved changes must be saved first.
 */
export function RunControls({
  strategyId,
  version,
  dirty,
  timeframes,
  onStarted,
}: {
  strategyId: number;
  /** The saved version on the workspace (null: never saved). */
  version: number | null;
  dirty: boolean;
  timeframes: readonly string[];
  onStarted: (runId: number) => void;
}) {
  const accounts = useRunAccounts();
  const symbols = useSymbolOptions();
  const start = useStartRun(strategyId);
  const [accountChoice, setAccountChoice] = useState<number | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [timeframe, setTimeframe] = useState<string | null>(timeframes[0] ?? null);
  const account = accountChoice ?? defaultAccount(accounts.data ?? [])?.id ?? null;
  const blocker = startBlocker({ version, dirty, account, symbols: chosen, timeframe });
  const universe = (symbols.data ?? []).filter((s) => s.inUniverse).map((s) => s.symbol);

  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Run
      </Title>
      <Stack gap="xs">
        <Select
          label="Exchange account"
          data={(accounts.data ?? []).map((a) => ({
            value: String(a.id),
            label: `${a.label}${a.isPaper ? ' (paper)' : ` (${a.venue})`}${a.paused ? ' · paused' : ''}`,
          }))}
          value={account === null ? null : String(account)}
          onChange={(value) => {
            setAccountChoice(value === null ? null : Number(value));
          }}
          placeholder={accounts.isPending ? 'Loading…' : 'None'}
          allowDeselect={false}
          error={accounts.isError ? refusalMessage(accounts.error) : undefined}
        />
        <MultiSelect
          label="Symbols"
          data={universe}
          value={chosen}
          onChange={setChosen}
          searchable
          maxValues={SYMBOLS_MAX}
          placeholder={chosen.length === 0 ? 'BTCUSDT, …' : undefined}
          error={symbols.isError ? refusalMessage(symbols.error) : undefined}
        />
        <Select
          label="Timeframe"
          data={[...timeframes]}
          value={timeframe}
          onChange={setTimeframe}
          allowDeselect={false}
        />
        {blocker !== null && (
          <Text size="xs" c="dimmed" data-testid="run-blocker">
            {blocker}
          </Text>
        )}
        <Button
          disabled={blocker !== null}
          loading={start.isPending}
          onClick={() => {
            if (version === null || account === null || timeframe === null) return;
            start.mutate(
              { version, exchangeAccount: account, symbols: chosen, timeframe },
              {
                onSuccess: (run) => {
                  onStarted(run.id);
                },
              },
            );
          }}
        >
          {version === null ? 'Start' : `Start version ${version}`}
        </Button>
        {start.isError && (
          <Alert color="red" role="alert" p="xs">
            {refusalMessage(start.error)}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
