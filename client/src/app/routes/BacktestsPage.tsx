import { BacktestsView } from '@/features/backtest/components/BacktestsView';

export function BacktestsPage() {
  return <BacktestsView />;
}
