import { Alert, Card, Grid, Loader, Stack, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';

import { useCatalogue, useStrategy } from '@/features/strategies/api/queries';
import { NewStrategyForm } from '@/features/strategies/components/NewStrategyForm';
import { StrategyEditor } from '@/features/strategies/components/StrategyEditor';
import { StrategyList } from '@/features/strategies/components/StrategyList';
import { refusalMessage } from '@/features/strategies/utils/compile-errors';

/** The Strategies page: the user's strategies and a new one on the left, the open one (`?strategy=<id>`) in the editor. */
export function StrategiesView() {
  const [params, setParams] = useSearchParams();
  const wanted = Number(params.get('strategy'));
  const openId = Number.isSafeInteger(wanted) && wanted > 0 ? wanted : null;
  const catalogue = useCatalogue();
  const detail = useStrategy(openId);
  const open = (id: number) => {
    setParams({ strategy: String(id) });
  };

  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 3 }}>
        <Stack>
          <Title order={2}>Strategies</Title>
          <NewStrategyForm onCreated={open} />
          <StrategyList openId={openId} onOpen={open} />
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9 }}>
        {catalogue.isError && (
          <Alert color="red">
            The block catalogue did not load: {refusalMessage(catalogue.error)}
          </Alert>
        )}
        {openId === null && (
          <Card withBorder>
            <Text c="dimmed">Open a strategy, or start a new one from a template.</Text>
          </Card>
        )}
        {openId !== null && detail.isError && (
          <Alert color="red">{refusalMessage(detail.error)}</Alert>
        )}
        {openId !== null && (catalogue.isPending || detail.isPending) && (
          <Loader aria-label="Loading the strategy" />
        )}
        {catalogue.data && detail.data && (
          <StrategyEditor key={detail.data.id} strategy={detail.data} catalogue={catalogue.data} />
        )}
      </Grid.Col>
    </Grid>
  );
}
