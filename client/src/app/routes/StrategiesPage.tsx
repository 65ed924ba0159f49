import { StrategiesView } from '@/features/strategies/components/StrategiesView';

export function StrategiesPage() {
  return <StrategiesView />;
}
