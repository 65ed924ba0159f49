import { PlaceholderPage } from '@/components/ui/PlaceholderPage';

export function PerformancePage() {
  return (
    <PlaceholderPage
      title="Performance"
      description="Win rates, outcomes of past signals and strategy results. Coming soon."
    />
  );
}
