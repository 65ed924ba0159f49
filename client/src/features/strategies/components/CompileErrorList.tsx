import { Alert, List, Text, UnstyledButton } from '@mantine/core';

import type { CompileErrorItem } from '@/features/strategies/utils/compile-errors';

/**
 * The compiler's messages. One that names a block on the workspace is a button that scrolls to
 * that block and selects it; the others (the whole workspace, or a block deleted since) are text.
 */
export function CompileErrorList({
  errors,
  isMarked,
  onSelect,
}: {
  errors: readonly CompileErrorItem[];
  isMarked: (blockId: string) => boolean;
  onSelect: (blockId: string) => void;
}) {
  return (
    <Alert color="red" title="The strategy does not compile" role="alert">
      <List size="sm" aria-label="Compile errors">
        {errors.map((error, i) => (
          <List.Item key={`${error.blockId ?? ''}:${i}`}>
            {error.blockId !== null && isMarked(error.blockId) ? (
              <UnstyledButton
                fz="sm"
                td="underline"
                title="Show the block"
                onClick={() => {
                  if (error.blockId !== null) onSelect(error.blockId);
                }}
              >
                {error.message}
              </UnstyledButton>
            ) : (
              <Text size="sm">{error.message}</Text>
            )}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
