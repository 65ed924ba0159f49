import { Button, Group, Input, SegmentedControl, Select, Slider, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';

import { STATUS_SCOPES, TIMEFRAMES } from '@/features/signals/api/signal';
import { STATUS_LABELS } from '@/features/signals/utils/conditions';
import {
  DEFAULT_FILTERS,
  SORT_ORDERS,
  type SignalFilters,
  type SortOrder,
} from '@/features/signals/utils/filters';

const SORT_LABELS: Record<SortOrder, string> = {
  score: 'Score',
  latest: 'Latest',
  symbol: 'Symbol A-Z',
};

const TIMEFRAME_OPTIONS = [
  { value: 'all', label: 'All timeframes' },
  ...TIMEFRAMES.map((tf) => ({ value: tf, label: tf })),
];
const STATUS_OPTIONS = STATUS_SCOPES.map((value) => ({
  value,
  label: STATUS_LABELS[value] ?? value,
}));
const SORT_OPTIONS = SORT_ORDERS.map((value) => ({ value, label: SORT_LABELS[value] }));

interface SignalFiltersBarProps {
  filters: SignalFilters;
  onChange: (change: Partial<SignalFilters>) => void;
}

export function SignalFiltersBar({ filters, onChange }: SignalFiltersBarProps) {
  const isDefault = JSON.stringify(filters) === JSON.stringify(DEFAULT_FILTERS);
  return (
    <Group gap="md" align="flex-end" wrap="wrap" role="search" aria-label="Signal filters">
      <Input.Wrapper label="Direction" style={{ display: 'flex', flexDirection: 'column' }}>
        <SegmentedControl
          data-testid="filter-direction"
          value={filters.direction}
          onChange={(value) => {
            onChange({ direction: value });
          }}
          data={['ALL', 'LONG', 'SHORT']}
        />
      </Input.Wrapper>
      <Select
        label="Timeframe"
        data-testid="filter-timeframe"
        w={150}
        data={TIMEFRAME_OPTIONS}
        value={filters.timeframe}
        allowDeselect={false}
        onChange={(value) => {
          onChange({ timeframe: (value ?? 'all') as SignalFilters['timeframe'] });
        }}
      />
      <Select
        label="Status"
        data-testid="filter-status"
        w={170}
        data={STATUS_OPTIONS}
        value={filters.status}
        allowDeselect={false}
        onChange={(value) => {
          onChange({ status: value ?? 'active' });
        }}
      />
      <Input.Wrapper label={`Min. score: ${filters.minScore}`} w={200}>
        <Slider
          // Remounted when the URL changes the value, so the thumb follows; dragging only writes
          // the URL on release, not on every pixel.
          key={filters.minScore}
          data-testid="filter-score"
          defaultValue={filters.minScore}
          min={0}
          max={100}
          step={5}
          label={(value) => String(value)}
          onChangeEnd={(value) => {
            onChange({ minScore: value });
          }}
          thumbLabel="Minimum score"
          mt={10}
        />
      </Input.Wrapper>
      <TextInput
        label="Symbol"
        data-testid="filter-search"
        placeholder="BTC, ETHUSDT…"
        w={170}
        leftSection={<IconSearch size={16} />}
        value={filters.search}
        onChange={(event) => {
          onChange({ search: event.currentTarget.value });
        }}
      />
      <Select
        label="Sort by"
        data-testid="sort-order"
        w={150}
        data={SORT_OPTIONS}
        value={filters.sort}
        allowDeselect={false}
        onChange={(value) => {
          onChange({ sort: value ?? 'score' });
        }}
      />
      <Button
        variant="subtle"
        disabled={isDefault}
        onClick={() => {
          onChange(DEFAULT_FILTERS);
        }}
      >
        Reset
      </Button>
    </Group>
  );
}
