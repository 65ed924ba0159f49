import { TradingView } from '@/features/trading/components/TradingView';

export function TradingPage() {
  return <TradingView />;
}
