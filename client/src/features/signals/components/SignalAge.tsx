import { useNow } from '@/hooks/useNow';
import { formatAge } from '@/lib/format';

/** "3m 05s", ticking: only this text re-renders every second, not the card around it. */
export function SignalAge({ since }: { since: number }) {
  const now = useNow();
  return <time dateTime={new Date(since).toISOString()}>{formatAge(now - since)}</time>;
}
