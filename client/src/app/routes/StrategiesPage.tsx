import { PlaceholderPage } from '@/components/ui/PlaceholderPage';

export function StrategiesPage() {
  return (
    <PlaceholderPage
      title="Strategies"
      description="Build strategies from blocks, run them on paper or on your futures account, and watch them live. Coming soon."
    />
  );
}
